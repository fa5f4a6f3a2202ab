"""One blueprint per seed section. Handlers parse, call one service function, shape the response."""
