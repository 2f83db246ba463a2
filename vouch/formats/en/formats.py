"""English dates written out as people write them ("December 8, 2026"), not Django's AP-style abbreviations
("Dec. 8, 2026"). French keeps Django's ("8 décembre 2026", "8 décembre 2026 14:30")."""

DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, P"
