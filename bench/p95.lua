-- wrk script for bench/web: optional form posts (ICS_POST_COOKIE, ICS_POST_CSRF set), and the
-- latency percentiles printed in a form bench/web reads.
local cookie = os.getenv("ICS_POST_COOKIE")
local csrf = os.getenv("ICS_POST_CSRF")
local n = 0

request = function()
  if cookie == nil then
    return wrk.format("GET")
  end
  n = n + 1
  -- Each post a new value (so each is a write), in a fiscal year of its own thread's range.
  local body = "csrf=" .. csrf .. "&period=FY2021&value=" .. (100000 + n) .. "&note="
  return wrk.format("POST", nil, {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

local non2xx = 0
response = function(status, headers, body)
  if status >= 400 then
    non2xx = non2xx + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("p50=%.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("p95=%.3f\n", latency:percentile(95) / 1000))
  io.write(string.format("p99=%.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("requests=%d\n", summary.requests))
  io.write(string.format("errors=%d\n",
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("non2xx=%d\n", summary.errors.status))
end
