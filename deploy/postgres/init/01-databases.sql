-- Run once by the postgres image, when it initialises an empty data directory
-- (docker-compose.yml mounts this folder at /docker-entrypoint-initdb.d).
-- vigil holds the services' tables; apicurio holds the schema registry's.
CREATE DATABASE vigil;
CREATE DATABASE apicurio;
