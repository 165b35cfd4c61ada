-- bench/serve.lua — wrk script for `make bench`: POST /api/v1/records with
-- pre-signed leaves (bench_serve_leaves), each thread its own share of the
-- lines so no body is sent twice; the session cookie and CSRF token come
-- from the environment (BENCH_COOKIE, BENCH_CSRF), the bodies from
-- BENCH_BODIES.
local bodies = {}
local counter = 1
local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   local n = 0
   local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
   for line in io.lines(os.getenv("BENCH_BODIES")) do
      if n % nthreads == id then
         table.insert(bodies, line)
      end
      n = n + 1
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Cookie"] = "constat_session=" .. os.getenv("BENCH_COOKIE")
   wrk.headers["X-CSRF-Token"] = os.getenv("BENCH_CSRF")
end

function request()
   local body = bodies[counter]
   if body == nil then
      body = bodies[#bodies] -- out of fresh leaves: replays (answered 200, no new leaf)
   end
   counter = counter + 1
   return wrk.format(nil, "/api/v1/records", nil, body)
end
