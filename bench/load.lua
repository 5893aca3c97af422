-- wrk script of bench/load.sh: one route of the year-end mix, with a signed-in session.
-- LOAD_MODE: get (paths from LOAD_PATHS in turn), score (LOAD_PATHS lines "round unit version":
-- the unit's own score sheet, saved with the version it is at) or paper (a paper ballot, LOAD_PATHS
-- holding the poll's path). Each wrk thread takes its own share of the lines, so two threads
-- never save the same sheet.

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local mode = os.getenv("LOAD_MODE") or "get"
local paths = {}
local versions = {}
local counter = 0

function init(args)
  local n = tonumber(os.getenv("LOAD_THREADS") or "1")
  local i = 0
  for line in io.lines(os.getenv("LOAD_PATHS")) do
    if i % n == tid then
      table.insert(paths, line)
    end
    i = i + 1
  end
  wrk.headers["Cookie"] = os.getenv("LOAD_COOKIE")
  wrk.headers["x-csrf-token"] = os.getenv("LOAD_CSRF")
end

-- Headers of a JSON request: wrk.format replaces wrk.headers when given any.
local function json_headers()
  local h = { ["Content-Type"] = "application/json" }
  for k, v in pairs(wrk.headers) do
    h[k] = v
  end
  return h
end

function request()
  counter = counter + 1
  local line = paths[(counter - 1) % #paths + 1]
  if mode == "score" then
    local round, unit, at = line:match("(%d+) (%d+) (%d+)")
    local version = versions[line] or tonumber(at)
    versions[line] = version + 1
    local body = string.format(
      '{"target_id":%s,"role":"self","scorer_id":%s,"version":%d,"scores":[{"code":"1.1","centi":%d},{"code":"2","centi":%d}]}',
      unit, unit, version, 10000 + counter % 5000, 20000 + counter % 9000)
    return wrk.format("POST", "/api/v1/rounds/" .. round .. "/sheet", json_headers(), body)
  elseif mode == "paper" then
    return wrk.format("POST", line, json_headers(), string.format('{"chosen":[%d]}', counter % 2))
  end
  return wrk.format("GET", line)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT %d %.1f %.2f %.2f %d %d\n", summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
