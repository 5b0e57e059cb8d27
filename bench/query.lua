-- wrk script of the query benchmark (bench/query.sh, issue 4): every request asks for a
-- random entry of a list read at start.
--
--   wrk ... -s bench/query.lua URL -- subject CODES_FILE PURPOSE
--       GET /api/v1/subjects/{code}?purpose=PURPOSE, code: a random line of CODES_FILE
--   wrk ... -s bench/query.lua URL -- search PARTS_FILE PURPOSE
--       GET /api/v1/subjects?q={part}&purpose=PURPOSE, part: a random line of PARTS_FILE
--       (already percent-encoded)
--
-- The bearer token comes with wrk's -H.  Each thread draws from its own seed.

local n_threads = 0

function setup(thread)
  n_threads = n_threads + 1
  thread:set("seed", n_threads * 7919 + os.time())
end

local list, n, prefix, suffix

function init(args)
  local mode, file, purpose = args[1], args[2], args[3]
  list, n = {}, 0
  for line in io.lines(file) do
    if #line > 0 then
      n = n + 1
      list[n] = line
    end
  end
  if n == 0 then
    error("query.lua: no entries in " .. tostring(file))
  end
  if mode == "subject" then
    prefix, suffix = "/api/v1/subjects/", "?purpose=" .. purpose
  elseif mode == "search" then
    prefix, suffix = "/api/v1/subjects?q=", "&purpose=" .. purpose
  else
    error("query.lua: mode must be subject or search")
  end
  math.randomseed(seed or 1)
end

function request()
  return wrk.format("GET", prefix .. list[math.random(n)] .. suffix)
end
