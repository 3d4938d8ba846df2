"""Case workflows: a small workflow engine (`engine`), the pathways that run on it as
versioned data (`pathways`: reintegration, child protection; the country-of-origin return
pathway comes with the returns work), cases with their steps and append-only timeline
(`service`, `timeline`), referrals to service providers, reinsertion instalments and
payments, the case manager's board and the supervisor's workload view."""
