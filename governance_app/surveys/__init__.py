"""Opinion surveys (民意调查) and the owners' rating of the property-service company (物业服务评价).

Neither is a vote of the owners' assembly: they decide nothing, no threshold of R-10 applies,
and their pages say so (R-72). Answers are one per owner key (R-15).
"""
