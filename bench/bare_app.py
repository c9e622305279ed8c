"""The ceiling: a bare FastAPI app with one ``async def`` endpoint returning a small dict.

The benchmark runs it under the same uvicorn settings as the reference app (one worker, no access
log) and on uvloop, the fastest event loop, so the ratio of the two measures what the app's own
work costs against the fastest a FastAPI app gets on the machine.
"""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "ok"}
