"""The ceiling: a bare FastAPI app with one ``async def`` endpoint returning a small dict.

The benchmark runs it with the same server settings as the reference app, so the ratio of the
two measures what the app's own work costs, independent of the machine.
"""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "ok"}
