"""Names that tell what kind of thing a sentence mentions: countries (UN member states and
common short forms). General knowledge, not facts about any particular document."""

import re

COUNTRIES = frozenset(
    """afghanistan albania algeria andorra angola antigua argentina armenia australia austria
    azerbaijan bahamas bahrain bangladesh barbados belarus belgium belize benin bhutan bolivia
    bosnia botswana brazil brunei bulgaria burkina burundi cabo cambodia cameroon canada chad
    chile china colombia comoros congo costa côte cote croatia cuba cyprus czechia czech denmark
    djibouti dominica dominican ecuador egypt salvador eritrea estonia eswatini ethiopia fiji
    finland france gabon gambia georgia germany ghana greece grenada guatemala guinea guyana
    haiti honduras hungary iceland india indonesia iran iraq ireland israel italy jamaica japan
    jordan kazakhstan kenya kiribati korea kuwait kyrgyzstan lao laos latvia lebanon lesotho
    liberia libya liechtenstein lithuania luxembourg madagascar malawi malaysia maldives mali
    malta marshall mauritania mauritius mexico micronesia moldova monaco mongolia montenegro
    morocco mozambique myanmar namibia nauru nepal netherlands  nicaragua niger nigeria
    macedonia norway oman pakistan palau panama papua paraguay peru philippines poland portugal
    qatar romania russia rwanda samoa marino sao senegal serbia seychelles sierra singapore
    slovakia slovenia solomon somalia  spain sri sudan suriname sweden switzerland syria
    tajikistan tanzania thailand timor togo tonga trinidad tunisia turkey türkiye turkmenistan
    tuvalu uganda ukraine   uk usa  uruguay uzbekistan vanuatu
    venezuela viet vietnam yemen zambia zimbabwe""".split()
)
# countries whose names are made of ordinary words
COUNTRY_PHRASES = re.compile(
    r"\b(?:United States|United Kingdom|South Africa|New Zealand|United Arab Emirates|"
    r"Republic of Korea|Central African Republic|South Sudan|Côte d’Ivoire|US|UK)\b"
)
