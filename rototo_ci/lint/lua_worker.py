"""The custom Lua worker: a child process that runs `lint/*.lua` files for the lint host.

Run as `python -P -m rototo_ci.lint.lua_worker MEMORY_BYTES CPU_SECONDS`. It reads one
JSON request per line on stdin and answers with JSON lines on stdout; only plain data
crosses. Limits are layered: per task an instruction-count hook and a CPU deadline
inside the VM (the hook keeps firing once a budget is spent, so `pcall` cannot swallow
it), 16 MiB per runtime (lupa's allocator), and for the whole process RLIMIT_AS and
RLIMIT_CPU set before any Lua runs. Long C functions (`string.rep`, `table.move`,
pattern matching) do not run hooks: the parent kills this process when a task overruns
its wall-clock deadline. This module imports only the standard library and lupa.

Requests and answers (one line each; `run` answers once per task):
  {"op": "load", "path", "source"} -> {"status": "executed"} once the top level ran, then
      {"status": "ok", "registrations": [...], "more": bool}
      | {"status": "failed", "phase": "execute"|"register", "reason"} | {"status": "no-register"}
  {"op": "run", "handler", "tasks": [{"stage", "entity", "target", "null"}]}
      -> {"status": "failed", "reason"} | {"status": "ok", "kind": "nil"}
      | {"status": "ok", "kind": "value", "type"}
      | {"status": "ok", "kind": "list", "items", "length"}
  {"op": "close"} -> {"status": "ok"}
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

MEMORY_LIMIT = 16 * 1024 * 1024
INSTRUCTION_LIMIT = 1_000_000
TIME_LIMIT_S = 2.0
HOOK_EVERY = 1000
# Instructions our own Lua wrappers run before workspace code starts, beyond those the
# rototo engine's host runs (measured against it with loops at the limit): not charged, so
# that a task fails at the same instruction as in the reference.
WRAPPER_INSTRUCTIONS = {"execute": 1, "register": 11, "run": 2}
LIMIT_MESSAGE = "custom lint exceeded Lua execution limits"
MEMORY_MESSAGE = "memory error: not enough memory"
MESSAGE_BYTES = 4096  # a returned message is cut to this many bytes
FIELD_BYTES = 256
REGISTRATION_BYTES = 4096
MAX_REGISTRATIONS = 1000  # per file
MAX_TASK_DIAGNOSTICS = 1000  # per handler call

# Runs first in every runtime, before any workspace code: captures the builtins the host
# relies on, installs the budget hook and the lint API, then removes every unsafe global.
# Everything it returns stays with the host; handlers can reach none of it.
_PRELUDE = """
local limit_message, every, message_bytes, field_bytes, reg_bytes, max_regs, max_items = ...
local sethook, clock, error, pcall, type, tostring, rawget, rawlen, load =
  debug.sethook, os.clock, error, pcall, type, tostring, rawget, rawlen, load
local mathtype, utf8len, sub = math.type, utf8.len, string.sub
local G = _G
local S = {active = false, exhausted = false, count = 0, max = 0, deadline = 0, clock = clock,
           finalizers = false}

local hook
hook = function()
  if S.active and not S.exhausted then
    local n = S.count + every
    S.count = n
    -- re-arming in a tail call restarts the count after the hook's own instructions,
    -- which Lua counts too: every period is `every` instructions of workspace code
    if n <= S.max and clock() <= S.deadline then return sethook(hook, "", every) end
    S.exhausted = true
  end
  -- spent (or Lua running between tasks, e.g. a finalizer): fail on every instruction
  sethook(hook, "", 1)
  error(limit_message, 0)
end

local function describe(e)
  local t = type(e)
  if t == "string" then return e end
  if t == "number" then return e .. "" end
  return "(error object is a " .. t .. " value)"
end

-- a string as it is (its shared metatable may carry a hostile __tostring), else tostring
local function text(value, n)
  if type(value) ~= "string" then value = tostring(value) end
  return sub(value, 1, n)
end

local registrations, more = {}, false
local lint = {}
local required = {"stage", "entity", "rule", "handler"}
local rule_required = {"id", "title", "help"}
function lint:on(spec)
  if type(spec) ~= "table" then error("registration must be a table", 2) end
  for i = 1, 4 do
    local key = required[i]
    local missing = spec[key] == nil or (key == "handler" and spec[key] == "")
    if missing then error("registration must contain " .. key, 2) end
  end
  if type(spec.rule) ~= "table" then error("registration rule must be a table", 2) end
  for i = 1, 3 do
    if spec.rule[rule_required[i]] == nil then
      error("registration must contain " .. rule_required[i], 2)
    end
  end
  if #registrations >= max_regs then more = true return end
  local handler = text(spec.handler, reg_bytes)
  local rule = spec.rule
  registrations[#registrations + 1] = {
    stage = text(spec.stage, reg_bytes),
    entity = text(spec.entity, reg_bytes),
    field = spec.field ~= nil and text(spec.field, reg_bytes) or nil,
    id = text(rule.id, reg_bytes),
    title = text(rule.title, reg_bytes),
    help = text(rule.help, reg_bytes),
    severity = rule.severity ~= nil and text(rule.severity, reg_bytes) or nil,
    handler = handler,
    callable = type(G[handler]) == "function",
  }
end

local function execute(source, name)
  local chunk, problem = load(source, name, "t", G)
  if chunk == nil then return "syntax", describe(problem) end
  local ok, e = pcall(chunk)
  if not ok then return "failed", describe(e) end
  return "ok"
end

local function register()
  local fn = G.register
  if type(fn) ~= "function" then return "no-register" end
  local ok, e = pcall(fn, lint)
  if not ok then return "failed", describe(e) end
  return "ok", registrations, more
end

local function extract(result)
  local t = type(result)
  if t == "nil" then return "nil" end
  if t == "number" then return "value", mathtype(result) == "integer" and "integer" or "number" end
  if t ~= "table" then return "value", t end
  local length = rawlen(result)
  local count = length < max_items and length or max_items
  local items, valid = {}, {}
  for i = 1, count do
    local item = rawget(result, i)
    local entry
    if type(item) ~= "table" then
      entry = {problem = "table"}
    else
      local message = rawget(item, "message")
      local kind = type(message)
      if message == nil then
        entry = {problem = "missing"}
      elseif kind == "number" then
        entry = {message = message .. ""}
      elseif kind ~= "string" then
        entry = {problem = "type", type = kind}
      else
        local ok = valid[message]  -- a string returned many times is checked once
        if ok == nil then
          ok = utf8len(message) ~= nil
          valid[message] = ok
        end
        if ok then
          entry = {message = sub(message, 1, message_bytes), size = #message}
        else
          entry = {problem = "utf8"}
        end
      end
      local field = rawget(item, "field")
      if type(field) == "string" then
        entry.field = sub(field, 1, field_bytes)
      elseif type(field) == "number" then
        entry.field = field .. ""
      end
    end
    items[i] = entry
  end
  return "list", items, length
end

local function run(name, ctx)
  local ok, result = pcall(G[name], ctx)
  if not ok then return "failed", describe(result) end
  S.count = 0  -- reading the result gets its own budget
  return extract(result)
end

-- Lua runs finalizers with hooks off (also when the runtime closes): note whether any
-- object was given one, so that the worker never closes such a runtime
local raw_setmetatable = setmetatable
G.setmetatable = function(object, meta)
  if type(meta) == "table" and rawget(meta, "__gc") ~= nil then S.finalizers = true end
  return raw_setmetatable(object, meta)
end

for _, name in ipairs({"os", "io", "package", "require", "dofile", "loadfile", "load",
                       "loadstring", "collectgarbage", "debug", "coroutine", "print",
                       "python"}) do
  G[name] = nil
end
string.dump = nil
return S, hook, sethook, execute, register, run
"""


class _NullMarker:
    """JSON null in handler data, at any depth: one opaque userdata, equal to itself, that
    prints as the rototo engine's null (a null light userdata) prints."""

    def __repr__(self) -> str:
        return "userdata: (nil)"


def _deny(obj: Any, name: Any, is_setting: bool) -> Any:
    raise AttributeError("Python objects are not accessible from custom lint")


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, bytes):
        return None
    return value[:limit].decode("utf-8", errors="replace")


class Sandbox:
    """One lint file in its own runtime; every call into Lua is one budgeted task."""

    def __init__(self) -> None:
        from lupa import lua54

        self.lua54 = lua54
        self.runtime = lua54.LuaRuntime(
            encoding=None,
            register_eval=False,
            register_builtins=False,
            unpack_returned_tuples=True,
            max_memory=MEMORY_LIMIT,
            attribute_filter=_deny,
        )
        self.null = _NullMarker()
        self.state, self.hook, self.sethook, self._execute, self._register, self._run = (
            self.runtime.execute(
                _PRELUDE.encode(),
                LIMIT_MESSAGE.encode(),
                HOOK_EVERY,
                MESSAGE_BYTES,
                FIELD_BYTES,
                REGISTRATION_BYTES,
                MAX_REGISTRATIONS,
                MAX_TASK_DIAGNOSTICS,
            )
        )
        self._disarm()

    def _arm(self, wrapper: int = 0) -> None:
        # set from Python through the C API: no Lua instruction runs, so no hook fires
        state = self.state
        state[b"exhausted"] = False
        state[b"count"] = 0
        state[b"max"] = INSTRUCTION_LIMIT
        state[b"deadline"] = state[b"clock"]() + TIME_LIMIT_S
        state[b"active"] = True
        # the first period also covers the wrapper; the hook re-arms every later one
        self.sethook(self.hook, b"", HOOK_EVERY + wrapper)

    def _disarm(self) -> None:
        self.state[b"active"] = False
        self.sethook(self.hook, b"", 1)

    def task(self, fn: Any, *args: Any, wrapper: int = 0) -> tuple[Any, ...] | str:
        """The results of fn(*args) as a tuple, or the reason the task failed."""
        self._arm(wrapper)
        try:
            result = fn(*args)
        except self.lua54.LuaMemoryError:
            return LIMIT_MESSAGE if self.state[b"exhausted"] else MEMORY_MESSAGE
        except self.lua54.LuaError:
            if self.state[b"exhausted"]:
                return LIMIT_MESSAGE
            return "runtime error: custom lint failed"
        except MemoryError:
            return MEMORY_MESSAGE
        finally:
            self._disarm()
        if self.state[b"exhausted"]:
            return LIMIT_MESSAGE
        return result if isinstance(result, tuple) else (result,)

    # -- conversions ---------------------------------------------------------
    def to_lua(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.encode("utf-8", errors="surrogatepass")
        if value is None:  # a nil would drop the key or shorten the array
            return self.null
        if isinstance(value, bool) or isinstance(value, float):
            return value
        if isinstance(value, int):
            if -(2**63) <= value < 2**63:
                return value
            try:  # beyond a Lua integer
                return float(value)
            except OverflowError:
                return float("inf") if value > 0 else float("-inf")
        table = self.runtime.table()
        if isinstance(value, dict):
            for key, item in value.items():
                table[self.to_lua(key)] = self.to_lua(item)
        elif isinstance(value, list):
            for index, item in enumerate(value, start=1):
                table[index] = self.to_lua(item)
        return table

    # -- operations ----------------------------------------------------------
    def load(self, path: str, source: str, executed: Any = None) -> dict[str, Any]:
        """Run the file's top level, then register(lint); `executed()` is told in between."""
        outcome = self.task(
            self._execute,
            source.encode("utf-8", errors="surrogatepass"),
            f"={path}".encode(),
            wrapper=WRAPPER_INSTRUCTIONS["execute"],
        )
        if isinstance(outcome, str):
            return {"status": "failed", "phase": "execute", "reason": outcome}
        if outcome[0] == b"syntax":
            return {"status": "failed", "phase": "execute", "reason": _syntax(outcome[1])}
        if outcome[0] == b"failed":
            reason = "runtime error: " + (_text(outcome[1], MESSAGE_BYTES) or "")
            return {"status": "failed", "phase": "execute", "reason": reason}
        if executed is not None:
            executed()
        outcome = self.task(self._register, wrapper=WRAPPER_INSTRUCTIONS["register"])
        if isinstance(outcome, str):
            return {"status": "failed", "phase": "register", "reason": outcome}
        if outcome[0] == b"no-register":
            return {"status": "no-register"}
        if outcome[0] == b"failed":
            reason = "runtime error: " + (_text(outcome[1], MESSAGE_BYTES) or "")
            return {"status": "failed", "phase": "register", "reason": reason}
        collected, more = outcome[1], bool(outcome[2])
        registrations = []
        for index in range(1, MAX_REGISTRATIONS + 1):
            item = collected[index]
            if item is None:
                break
            entry: dict[str, Any] = {
                key: _text(item[key.encode()], REGISTRATION_BYTES)
                for key in ("stage", "entity", "field", "id", "title", "help", "severity")
            }
            entry["handler"] = _text(item[b"handler"], REGISTRATION_BYTES)
            entry["callable"] = bool(item[b"callable"])
            registrations.append(entry)
        return {"status": "ok", "registrations": registrations, "more": more}

    def run(self, handler: str, task: dict[str, Any]) -> dict[str, Any]:
        try:
            target = self.to_lua(task["target"])
            if task.get("null"):
                target[b"selected"] = self.null
            ctx = self.to_lua({"stage": task["stage"], "entity": task["entity"]})
            ctx[b"target"] = target
        except (self.lua54.LuaError, MemoryError):
            return {"status": "failed", "reason": MEMORY_MESSAGE}
        outcome = self.task(
            self._run,
            handler.encode("utf-8", errors="surrogatepass"),
            ctx,
            wrapper=WRAPPER_INSTRUCTIONS["run"],
        )
        del ctx, target
        if isinstance(outcome, str):
            return {"status": "failed", "reason": outcome}
        kind = outcome[0]
        if kind == b"failed":
            reason = "runtime error: " + (_text(outcome[1], MESSAGE_BYTES) or "")
            return {"status": "failed", "reason": reason}
        if kind == b"nil":
            return {"status": "ok", "kind": "nil"}
        if kind == b"value":
            return {"status": "ok", "kind": "value", "type": _text(outcome[1], 64)}
        items_table, length = outcome[1], int(outcome[2])
        items = []
        for index in range(1, min(length, MAX_TASK_DIAGNOSTICS) + 1):
            entry = items_table[index]
            problem = entry[b"problem"]
            item: dict[str, Any]
            if problem is not None:
                item = {"problem": _text(problem, 16), "type": _text(entry[b"type"], 16)}
            else:
                message = entry[b"message"]
                # valid UTF-8 as a whole (checked in Lua); a cut may split the last character
                text = message.decode("utf-8", errors="ignore")
                size = entry[b"size"]
                item = {"message": text, "size": int(size) if size is not None else len(message)}
            item["field"] = _text(entry[b"field"], FIELD_BYTES)
            items.append(item)
        return {"status": "ok", "kind": "list", "items": items, "length": length}


def _syntax(reason: bytes) -> str:
    text = _text(reason, MESSAGE_BYTES) or ""
    if "not enough memory" in text:
        return MEMORY_MESSAGE
    return f"syntax error: {text}"


def _limit_process(memory: int, cpu: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    except (ImportError, ValueError, OSError):  # pragma: no cover - platform without rlimits
        pass


def serve(memory: int, cpu: int) -> None:
    _limit_process(memory, cpu)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sandbox: Sandbox | None = None

    def answer(message: dict[str, Any]) -> None:
        stdout.write(json.dumps(message, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        stdout.write(b"\n")
        stdout.flush()

    def finalizers() -> bool:
        return sandbox is not None and bool(sandbox.state[b"finalizers"])

    from lupa import lua54  # noqa: F401  (loaded before "ready": not on a task's clock)

    answer({"status": "ready"})
    for line in stdin:
        request = json.loads(line)
        op = request["op"]
        if op in ("load", "close") and finalizers():
            # closing this runtime would run its finalizers, unbounded: exit instead
            answer({"status": "restart"})
            os._exit(0)
        if op == "load":
            sandbox = None
            try:
                sandbox = Sandbox()
                executed = lambda: answer({"status": "executed"})  # noqa: E731
                answer(sandbox.load(request["path"], request["source"], executed))
            except MemoryError:
                sandbox = None
                answer({"status": "failed", "phase": "execute", "reason": MEMORY_MESSAGE})
        elif op == "run":
            for task in request["tasks"]:
                if sandbox is None:
                    answer({"status": "failed", "reason": "custom lint file is not loaded"})
                else:
                    answer(sandbox.run(request["handler"], task))
        elif op == "close":
            sandbox = None
            answer({"status": "ok"})


def main() -> None:
    memory, cpu = int(sys.argv[1]), int(sys.argv[2])
    try:
        serve(memory, cpu)
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    # no interpreter teardown: it would close the runtime and run hostile finalizers
    os._exit(0)


if __name__ == "__main__":
    main()
