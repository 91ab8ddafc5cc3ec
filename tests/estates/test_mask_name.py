"""R-61: one pure function masks the name of a person on a list."""
import pytest

from governance_app.estates.rules import mask_name


@pytest.mark.parametrize("name, shown", [
    ("张", "张某"),  # one character: the surname alone
    ("张伟", "张某"),  # two characters
    ("王小明", "王某"),
    ("欧阳娜娜", "欧阳某"),  # compound surnames are kept whole
    ("欧阳锋", "欧阳某"),
    ("司马光", "司马某"),
    ("诸葛亮", "诸葛某"),
    ("上官婉儿", "上官某"),
    ("欧阳", "欧某"),  # two characters only: no given name left to hide behind a compound surname
    ("上海真景置业有限公司", "上海真景置业有限公司"),  # companies keep their name
    ("梅园小区业主委员会", "梅园小区业主委员会"),
    ("Acme Co. Ltd", "Acme Co. Ltd"),
    ("John Smith", "John *"),
    ("Li", "L*"),
    ("  李娜 ", "李某"),
    ("", ""),
])
def test_r61_mask_name(name, shown):
    assert mask_name(name) == shown


def test_r61_the_template_filter_is_the_rule(app):
    assert app.jinja_env.filters["mask_name"] is mask_name
