"""Supervision by the sub-district and the residents' committee: the committee's re-election as
one process per estate, from the written report to the filing and the handover (R-40 to R-48),
and the dashboard of every estate one supervises, gathered from the packages' duties."""
