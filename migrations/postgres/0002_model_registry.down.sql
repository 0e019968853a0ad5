DROP TABLE model_registry;
