"""The Sanic API of the catering job board mini-program."""
