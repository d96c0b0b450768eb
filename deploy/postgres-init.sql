-- Run once by the postgres container of compose.yaml, when its volume is new: the warehouse's database beside
-- Dagster's (POSTGRES_DB), both owned by the same role.
CREATE DATABASE clms_warehouse;
