-- Requests and the report for bench/run.py. Environment:
--   BENCH_METHOD  GET (default) or POST
--   BENCH_KIND    get | save | submit
--   BENCH_IDS     comma-separated proposal ids: save gives each thread one draft, submit
--                 gives each thread its own slice to submit one after another
--   BENCH_CSRF    the form token of the session in the Cookie header
--   BENCH_EXPECT  the status a successful request answers (200, or 302 after a POST)
local kind = os.getenv("BENCH_KIND") or "get"
local csrf = os.getenv("BENCH_CSRF") or ""
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local ids = {}
for id in string.gmatch(os.getenv("BENCH_IDS") or "", "%d+") do ids[#ids + 1] = id end

local threads = {}
local counter = 1

function setup(thread)
  thread:set("index", counter)
  thread:set("threads", 0)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  unexpected = 0
  step = 0
  revision = 1
  local n = tonumber(os.getenv("BENCH_THREADS") or "1")
  if kind == "save" then
    draft = ids[index]
  elseif kind == "submit" then
    mine = {}
    for i = index, #ids, n do mine[#mine + 1] = ids[i] end
  end
end

-- wrk.format replaces wrk.headers (the -H options: the session cookie and the user agent)
-- when given a table of headers, so a POST carries a copy of them plus its content type.
local function form_headers()
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return headers
end

function request()
  if kind == "save" then
    step = step + 1
    local body = "csrf_token=" .. csrf .. "&revision=" .. revision ..
      "&requested_eur=" .. (20000 + step) .. "&own_contribution_eur=5000"
    return wrk.format("POST", "/proposals/" .. draft .. "/edit/budget", form_headers(), body)
  elseif kind == "submit" then
    step = step + 1
    local id = mine[step] or mine[#mine]
    return wrk.format("POST", "/proposals/" .. id .. "/submit", form_headers(),
      "csrf_token=" .. csrf .. "&declaration=y")
  end
  return wrk.request()
end

function response(status, headers, body)
  if status ~= expect then
    unexpected = unexpected + 1
  elseif kind == "save" then
    revision = revision + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + (thread:get("unexpected") or 0) end
  io.write(string.format(
    'BENCH {"p50_ms": %.2f, "p95_ms": %.2f, "requests": %d, "seconds": %.3f, ' ..
    '"unexpected": %d, "errors": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.requests,
    summary.duration / 1e6, bad,
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.status + summary.errors.timeout))
end
