"""The estate's accounts: maintenance fund, common income, committee working fund."""
