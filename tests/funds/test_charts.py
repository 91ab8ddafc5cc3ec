"""SVG charts: valid XML, accessible (title, desc, contrast), no inline style, no script."""
import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from governance_app.funds.charts import balance_chart, category_chart

SVG = "{http://www.w3.org/2000/svg}"
DAY = dt.date(2026, 1, 1)


def parse(svg: str) -> ET.Element:
    assert "style=" not in svg and "<script" not in svg.lower()
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert re.fullmatch(r"0 0 \d+ \d+(\.\d)?", root.get("viewBox"))
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.startswith("on") for name in element.attrib)
        assert element.tag != f"{SVG}script" and element.tag != f"{SVG}foreignObject"
    return root


def title_and_desc(root: ET.Element) -> tuple[str, str]:
    ids = root.get("aria-labelledby").split()
    elements = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert [elements[i].tag for i in ids] == [f"{SVG}title", f"{SVG}desc"]
    return elements[ids[0]].text, elements[ids[1]].text


def texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_on_white(colour: str) -> float:
    return 1.05 / (luminance(colour) + 0.05)


def assert_readable(root: ET.Element) -> None:
    for element in root.iter(f"{SVG}text"):
        assert contrast_on_white(element.get("fill")) >= 4.5, element.get("fill")
    for element in root.iter():  # lines and bars too: they carry the information
        for attribute in ("fill", "stroke"):
            colour = element.get(attribute)
            if colour and colour != "none":
                assert contrast_on_white(colour) >= 3, colour


# --- the balance over time ---------------------------------------------------------------

def test_balance_chart_labels_dates_and_extremes():
    root = parse(balance_chart([(DAY, 100_000), (DAY + dt.timedelta(days=40), 250_050),
                                (DAY + dt.timedelta(days=90), 80_000)], "余额", "余额从1,000.00元到800.00元", "fund"))
    assert title_and_desc(root) == ("余额", "余额从1,000.00元到800.00元")
    assert set(texts(root)) == {"2026-01-01", "2026-04-01", "2,500.50", "800.00"}
    assert_readable(root)


def test_balance_chart_is_a_step_line_in_date_order():
    root = parse(balance_chart([(DAY + dt.timedelta(days=30), 500), (DAY, 100), (DAY + dt.timedelta(days=60), 300)],
                               "t", "d"))
    line = next(path for path in root.iter(f"{SVG}path") if path.get("class") == "chart-line")
    commands = re.findall(r"[A-Z]", line.get("d"))
    assert commands == ["M", "H", "V", "H", "V"]  # only horizontal then vertical moves
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", line.get("d"))]
    x_values = numbers[0:1] + numbers[2::2]
    assert x_values == sorted(x_values)
    y_start, y_middle, y_end = numbers[1], numbers[3], numbers[5]
    assert y_middle < y_end < y_start  # 500 is highest (smallest y), then 300, then 100


def test_balance_chart_without_points():
    root = parse(balance_chart([], "空", "本期没有记录", "empty", empty_text="没有数据"))
    assert title_and_desc(root) == ("空", "本期没有记录")
    assert texts(root) == ["没有数据"]
    assert not [p for p in root.iter(f"{SVG}path") if p.get("class") == "chart-line"]
    assert texts(parse(balance_chart([], "t", "d"))) == []


def test_balance_chart_with_one_point_draws_a_level_line():
    root = parse(balance_chart([(DAY, 12_345)], "t", "d"))
    assert texts(root) == ["123.45", "2026-01-01"]
    line = next(path for path in root.iter(f"{SVG}path") if path.get("class") == "chart-line")
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", line.get("d"))]
    assert numbers[2] > numbers[0]  # runs to the right edge


def test_balance_chart_with_several_points_on_one_day():
    root = parse(balance_chart([(DAY, 100), (DAY, -100)], "t", "d"))
    assert set(texts(root)) == {"1.00", "-1.00", "0.00", "2026-01-01"}


def test_negative_balances_get_a_zero_line():
    root = parse(balance_chart([(DAY, 500_000), (DAY + dt.timedelta(days=10), -300_000)], "t", "d"))
    assert [line.get("class") for line in root.iter(f"{SVG}line")] == ["chart-zero"]
    assert set(texts(root)) == {"5,000.00", "-3,000.00", "0.00", "2026-01-01", "2026-01-11"}
    assert_readable(root)


def test_all_negative_balances_have_no_zero_line():
    root = parse(balance_chart([(DAY, -500), (DAY + dt.timedelta(days=1), -100)], "t", "d"))
    assert list(root.iter(f"{SVG}line")) == []
    assert "-1.00" in texts(root) and "-5.00" in texts(root)


def test_text_is_escaped():
    nasty = "<script>alert('x')</script> & \"quotes\""
    svg = balance_chart([(DAY, 1)], nasty, nasty)
    root = parse(svg)
    assert title_and_desc(root) == (nasty, nasty)
    category = category_chart([(nasty, 100)], nasty, nasty)
    assert texts(parse(category))[0] == nasty


def test_ids_come_from_the_prefix_and_are_unique_per_chart():
    first = parse(balance_chart([(DAY, 1)], "t", "d", "fund-balance"))
    second = parse(category_chart([("a", 1)], "t", "d", "fund-income"))
    assert first.get("aria-labelledby") == "fund-balance-title fund-balance-desc"
    assert second.get("aria-labelledby") == "fund-income-title fund-income-desc"
    assert balance_chart([], "t", "d").count('id="balance-chart-title"') == 1


@pytest.mark.parametrize("prefix", ["", "1chart", 'a" onload="x', "a b"])
def test_bad_id_prefix_is_refused(prefix):
    with pytest.raises(ValueError):
        balance_chart([], "t", "d", prefix)
    with pytest.raises(ValueError):
        category_chart([], "t", "d", prefix)


# --- categories ----------------------------------------------------------------------

def test_category_chart_bars_labels_and_amounts():
    rows = [("停车费", 1_234_500), ("广告", 617_250), ("场地租金", 0)]
    root = parse(category_chart(rows, "收入构成", "停车费最多", "income"))
    assert title_and_desc(root) == ("收入构成", "停车费最多")
    assert texts(root) == ["停车费", "12,345.00", "广告", "6,172.50", "场地租金", "0.00"]
    widths = [float(bar.get("width")) for bar in root.iter(f"{SVG}rect")]
    assert widths[2] == 0 and widths[0] == pytest.approx(2 * widths[1], abs=0.2)
    width = int(root.get("viewBox").split()[2])
    amount_texts = [t for t in root.iter(f"{SVG}text") if "chart-amount" in t.get("class")]
    assert all(float(t.get("x")) > float(bar.get("width")) for t, bar in zip(amount_texts, root.iter(f"{SVG}rect")))
    assert all(float(t.get("x")) + 7.5 * len(t.text) <= width for t in amount_texts)
    assert_readable(root)


def test_category_chart_grows_with_its_rows():
    one = parse(category_chart([("a", 1)], "t", "d"))
    five = parse(category_chart([(str(n), n + 1) for n in range(5)], "t", "d"))
    assert int(five.get("viewBox").split()[3]) > int(one.get("viewBox").split()[3])


def test_category_chart_without_rows():
    root = parse(category_chart([], "支出构成", "本期没有支出", empty_text="没有支出"))
    assert title_and_desc(root) == ("支出构成", "本期没有支出")
    assert texts(root) == ["没有支出"]
    assert list(root.iter(f"{SVG}rect")) == []


def test_category_chart_with_only_zero_amounts():
    root = parse(category_chart([("a", 0), ("b", 0)], "t", "d"))
    assert [float(bar.get("width")) for bar in root.iter(f"{SVG}rect")] == [0, 0]


def test_negative_category_amount_is_drawn_and_labelled():
    root = parse(category_chart([("冲销", -500), ("停车费", 1000)], "t", "d"))
    assert "-5.00" in texts(root)
    assert_readable(root)
