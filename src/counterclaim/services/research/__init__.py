"""The research workbench: the SQL console and its worker pool, result formats, the
read-only role, saved queries, the schema dictionary and the ER diagram."""
