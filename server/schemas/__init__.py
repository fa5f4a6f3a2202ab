"""Request bodies as pydantic models: the API's validation rules, one module per seed section."""
