"""Drives `persona dev serve` with the official OpenAI Python client, unmodified.

Reads PERSONA_API_URL (the server's `/v1` base), PERSONA_API_KEY and PERSONA_MODEL
(`persona/<slug>`); prints one OK line per check and exits non-zero on the first failure.
"""

import datetime
import json
import math
import os
import sys
from typing import List, Literal, Optional

import openai
from openai import OpenAI
from pydantic import BaseModel, Field


def check(condition, message):
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)


def main():
    base = os.environ["PERSONA_API_URL"].rstrip("/")
    model = os.environ["PERSONA_MODEL"]
    client = OpenAI(
        base_url=base + "/openai",
        api_key=os.environ["PERSONA_API_KEY"],
        max_retries=0,
        timeout=30,
    )

    ids = [m.id for m in client.models.list()]
    check(model in ids, f"{model} is not among the models {ids}")
    print(f"OK models.list: {len(ids)} model(s)")
    retrieved = client.models.retrieve(model)
    check(retrieved.id == model, f"models.retrieve gave {retrieved.id}, not {model}")
    try:
        client.models.retrieve("persona/no-such-persona")
        check(False, "models.retrieve of a missing persona succeeded")
    except openai.NotFoundError as err:
        check(err.code == "model_not_found", f"missing model: code {err.code}")
    print("OK models.retrieve")

    messages = [
        {"role": "system", "content": "Stay in character."},
        {"role": "user", "content": "Hello! What do you sell?"},
    ]
    completion = client.chat.completions.create(
        model=model, messages=messages, temperature=0.3, max_tokens=300
    )
    choice = completion.choices[0]
    content = choice.message.content
    check(bool(content), "the completion has no content")
    check(choice.finish_reason == "stop", f"finish_reason {choice.finish_reason}")
    usage = completion.usage
    check(
        usage.total_tokens == usage.prompt_tokens + usage.completion_tokens,
        f"usage does not add up: {usage}",
    )
    print(f"OK chat.completions.create: {content!r}")

    stream = client.chat.completions.create(
        model=model,
        messages=messages,
        temperature=0.3,
        max_tokens=300,
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces, roles, finish, streamed_usage = [], [], None, None
    for chunk in stream:
        check(chunk.object == "chat.completion.chunk", f"chunk object {chunk.object}")
        if chunk.usage is not None:
            streamed_usage = chunk.usage
        for streamed in chunk.choices:
            if streamed.delta.role:
                roles.append(streamed.delta.role)
            if streamed.delta.content:
                pieces.append(streamed.delta.content)
            if streamed.finish_reason:
                finish = streamed.finish_reason
    check(roles == ["assistant"], f"roles in the stream: {roles}")
    check("".join(pieces) == content, "the streamed text differs from the plain one")
    check(finish == "stop", f"streamed finish_reason {finish}")
    check(
        streamed_usage is not None and streamed_usage.total_tokens == usage.total_tokens,
        f"streamed usage {streamed_usage}",
    )
    print(f"OK chat.completions.create stream=True: {len(pieces)} pieces")

    json_mode = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Introduce yourself as JSON."}],
        response_format={"type": "json_object"},
    )
    reply = json.loads(json_mode.choices[0].message.content)
    check(isinstance(reply, dict) and reply.get("reply"), f"JSON mode gave {reply!r}")
    print(f"OK JSON mode: keys {sorted(reply)}")

    # Structured outputs: the SDK sends the pydantic model as a strict JSON Schema and
    # validates the reply against it.
    class Shop(BaseModel):
        city: str
        opened: datetime.date

    class Profile(BaseModel):
        name: str
        age: int = Field(ge=18, le=99)
        mood: Literal["calm", "wry"]
        tags: List[str]
        shop: Shop
        nickname: Optional[str]
        code: str = Field(pattern=r"^[A-Z]{3}$")
        ratio: float = Field(gt=0.5, lt=0.9)
        batch: int = Field(multiple_of=7, ge=10)

    parsed = client.chat.completions.parse(
        model=model,
        messages=[{"role": "user", "content": "Describe yourself."}],
        response_format=Profile,
    )
    profile = parsed.choices[0].message.parsed
    check(isinstance(profile, Profile), f"structured output gave {profile!r}")
    check(profile.name and 18 <= profile.age <= 99, f"structured output {profile!r}")
    print(f"OK structured outputs: {profile.name}, {profile.shop.city}")

    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "The weather in a city",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            },
        }
    ]
    asked = [{"role": "user", "content": "What is the weather in Lisbon?"}]
    called = client.chat.completions.create(model=model, messages=asked, tools=tools)
    check(called.choices[0].finish_reason == "tool_calls", "no tool call")
    call = called.choices[0].message.tool_calls[0]
    check(call.function.name == "get_weather", f"tool {call.function.name}")
    check(json.loads(call.function.arguments) == {"city": "Lisbon"}, call.function.arguments)
    answered = client.chat.completions.create(
        model=model,
        tools=tools,
        messages=asked
        + [
            called.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": "Sunny, 21 degrees"},
        ],
    )
    check("Sunny, 21 degrees" in answered.choices[0].message.content, "tool result unused")
    print("OK tools: get_weather called and its result used")

    embedded = client.embeddings.create(
        model="persona-embed", input=["old books in Istanbul", "old books in Istanbul"]
    )
    vectors = [item.embedding for item in embedded.data]
    check(len(vectors) == 2 and all(len(v) == 256 for v in vectors), "embedding sizes")
    check(vectors[0] == vectors[1], "embeddings are not deterministic")
    norm = math.sqrt(sum(x * x for x in vectors[0]))
    check(abs(norm - 1.0) < 1e-4, f"embedding norm {norm}")
    floats = client.embeddings.create(
        model=model, input="old books in Istanbul", encoding_format="float"
    )
    check(
        all(abs(a - b) < 1e-6 for a, b in zip(floats.data[0].embedding, vectors[0])),
        "float and base64 encodings differ",
    )
    print(f"OK embeddings.create: {len(vectors)} x {len(vectors[0])}")

    moderated = client.moderations.create(input=["A kind old bookseller", "I will kill you"])
    calm, threat = moderated.results
    check(not calm.flagged, f"a calm text was flagged: {calm}")
    check(
        threat.flagged and threat.categories.harassment_threatening,
        f"a threat was not flagged: {threat}",
    )
    print("OK moderations.create")

    try:
        client.chat.completions.create(
            model="persona/no-such-persona", messages=[{"role": "user", "content": "hi"}]
        )
        check(False, "an unknown model was accepted")
    except openai.NotFoundError as err:
        check(err.code == "model_not_found", f"error code {err.code}")
    print("OK errors: unknown model is NotFoundError model_not_found")


if __name__ == "__main__":
    main()
