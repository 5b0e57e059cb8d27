-- wrk script of the portal benchmark (bench/portal.sh, issue 6): every request asks for a
-- random entry of a list read at start.
--
--   wrk ... -s bench/portal.lua URL -- PREFIX FILE
--       GET PREFIX{entry}, entry: a random line of FILE (already percent-encoded)
--
-- Each thread draws from its own seed.

local n_threads = 0

function setup(thread)
  n_threads = n_threads + 1
  thread:set("seed", n_threads * 7919 + os.time())
end

local list, n, prefix

function init(args)
  local file
  prefix, file = args[1], args[2]
  list, n = {}, 0
  for line in io.lines(file) do
    if #line > 0 then
      n = n + 1
      list[n] = line
    end
  end
  if n == 0 then
    error("portal.lua: no entries in " .. tostring(file))
  end
  math.randomseed(seed or 1)
end

function request()
  return wrk.format("GET", prefix .. list[math.random(n)])
end
