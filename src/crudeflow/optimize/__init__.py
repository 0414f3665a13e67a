"""Network -> LP -> solution: vectorised building, HiGHS solving."""
