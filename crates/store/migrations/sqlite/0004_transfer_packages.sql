-- A transfer received as a package from another installation names its sending organization here.
ALTER TABLE transfer ADD COLUMN external_from TEXT;
