from governance_app.estates import services
from governance_app.estates.models import Owner, Ownership, Unit
from tests.conftest import count, owner_row, roll_csv


def test_import_then_reimport_changes_nothing(make_estate):
    estate = make_estate()
    content = roll_csv([
        owner_row("1", "1-101", "88.50", "王伟", "310101199001011234"),
        owner_row("1", "1-102", "90.00", "王伟", "310101199001011234"),
        owner_row("1", "1-201", "70", "李娜", "310101198001012222", group="A", representative="是"),
        owner_row("1", "1-201", "70", "张强", "310101198001013333", group="A", representative="否"),
    ])
    report = services.import_roll(estate, content, "roll.csv")
    assert report.ok and report.applied
    assert (count(Unit), count(Owner), count(Ownership)) == (3, 3, 4)
    overview = services.estate_overview(estate)
    assert overview.roll.total_heads == 2
    assert overview.roll.total_area == 8850 + 9000 + 7000
    again = services.import_roll(estate, content, "roll.csv")
    assert again.ok and not again.applied and again.changes == []
