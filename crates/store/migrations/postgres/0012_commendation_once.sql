-- A nominee holds a title once a year (revoked awards aside), and has one live dossier for it.
CREATE UNIQUE INDEX award_once_org ON award (title, year, org_id) WHERE revoked = 0 AND org_id IS NOT NULL;
CREATE UNIQUE INDEX award_once_person ON award (title, year, person_id) WHERE revoked = 0 AND person_id IS NOT NULL;
CREATE UNIQUE INDEX dossier_once_org ON dossier (title, year, org_id) WHERE state <> 'withdrawn' AND org_id IS NOT NULL;
CREATE UNIQUE INDEX dossier_once_person ON dossier (title, year, person_id) WHERE state <> 'withdrawn' AND person_id IS NOT NULL;
