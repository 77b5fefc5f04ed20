"""Tax presets. Rates as published for 2025; staff should check them against current law."""

from decimal import Decimal as D

EU_STANDARD_RATES = {
    "AT": D("20"), "BE": D("21"), "BG": D("20"), "CY": D("19"), "CZ": D("21"), "DE": D("19"), "DK": D("25"),
    "EE": D("24"), "ES": D("21"), "FI": D("25.5"), "FR": D("20"), "GR": D("24"), "HR": D("25"), "HU": D("27"),
    "IE": D("23"), "IT": D("22"), "LT": D("21"), "LU": D("17"), "LV": D("21"), "MT": D("18"), "NL": D("21"),
    "PL": D("23"), "PT": D("23"), "RO": D("21"), "SE": D("25"), "SI": D("22"), "SK": D("23"),
}

CANADA_PROVINCES = {
    "CA-AB": [("GST", D("5"))],
    "CA-BC": [("GST", D("5")), ("PST", D("7"))],
    "CA-MB": [("GST", D("5")), ("RST", D("7"))],
    "CA-NB": [("HST", D("15"))],
    "CA-NL": [("HST", D("15"))],
    "CA-NS": [("HST", D("14"))],
    "CA-NT": [("GST", D("5"))],
    "CA-NU": [("GST", D("5"))],
    "CA-ON": [("HST", D("13"))],
    "CA-PE": [("HST", D("15"))],
    "CA-QC": [("GST", D("5")), ("QST", D("9.975"))],
    "CA-SK": [("GST", D("5")), ("PST", D("6"))],
    "CA-YT": [("GST", D("5"))],
}
