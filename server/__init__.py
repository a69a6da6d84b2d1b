"""ccds-crosswalk: the CCDS smart-home guideline Appendix crosswalk as linked data."""
