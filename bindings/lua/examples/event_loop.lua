-- SPDX-License-Identifier: MIT
-- event_loop.lua: the multi-socket API's typical event loop, in Lua.
--
--   lua5.4 event_loop.lua [--lib /path/libcurl.so.4] [--out DIR] URL...
--   lua5.4 event_loop.lua --world SCENARIO.scn [--seed N] [--trace] URL...
--
-- Prints one line per transfer, in the order given: "<status> <bytes> <url>" (status 0 and
-- the error code's name when a transfer failed); with --out, body number n goes to DIR/n.
-- Exit 0 when every transfer got a 2xx.
--
-- With --world the same loop runs the engine over the simulated world the scenario file
-- describes (its peers, DNS and faults): the world's Poll and Now take the place of poll(2)
-- and the monotonic clock, so it waits in virtual time. --trace prints every callback and
-- call first ("socket <fd> <what> @<ms>", "timer <ms> @<ms>", "action <fd> <mask> -> <running>").
-- Needs the module on LUA_CPATH (build/bindings/lua/?.so).
local multisock = require "multisock"

local lib, out, scenario, seed, trace
local urls = {}
local i = 1
while i <= #arg do
  if arg[i] == "--lib" then
    lib = arg[i + 1]
    i = i + 2
  elseif arg[i] == "--out" then
    out = arg[i + 1]
    i = i + 2
  elseif arg[i] == "--world" then
    scenario = arg[i + 1]
    i = i + 2
  elseif arg[i] == "--seed" then
    seed = math.tointeger(tonumber(arg[i + 1]))
    i = i + 2
  elseif arg[i] == "--trace" then
    trace = true
    i = i + 1
  else
    urls[#urls + 1] = arg[i]
    i = i + 1
  end
end

-- 0. Real sockets and time, or a simulated world: where the loop waits and what "now" is.
local backend, poll, now_ms = lib, multisock.poll, multisock.monotonic_ms
if scenario then
  local world = multisock.sim_world{file = scenario, seed = seed}
  backend = world
  poll = function(fds, timeout_ms) return world:Poll(fds, timeout_ms) end
  now_ms = function() return world:Now() end
end
local function log(fmt, ...)
  if trace then print(string.format(fmt, ...) .. " @" .. now_ms()) end
end

-- 1. A multi handle with a socket and a timer callback.
local multi = multisock.Multi(backend)
local watched = {}    -- fd -> POLL_IN / POLL_OUT / POLL_INOUT: what the socket callback asked for
local deadline = nil  -- when to call SocketAction(SOCKET_TIMEOUT) (loop ms); nil: no timer

multi:SetOpt(multisock.MOPT_SOCKETFUNCTION, function(easy, fd, what, socketp)
  log("socket %d %d", fd, what)
  if what == multisock.POLL_REMOVE or what == multisock.POLL_NONE then
    watched[fd] = nil
  else
    watched[fd] = what
  end
end)
multi:SetOpt(multisock.MOPT_TIMERFUNCTION, function(timeout_ms)
  log("timer %d", timeout_ms)
  if timeout_ms < 0 then deadline = nil else deadline = now_ms() + timeout_ms end
end)

-- 2. Add the transfers (each add arms a 0 ms timer).
local transfers = {}
for n, url in ipairs(urls) do
  local easy = multisock.Easy(backend)
  easy:SetOpt(multisock.OPT_URL, url)
  multi:AddHandle(easy)
  transfers[n] = {easy = easy, url = url}
end

-- 3-7. Wait for what the callbacks asked, act with SocketAction, read finished transfers.
local results = {}
local running = #urls
while running > 0 do
  local wait = deadline and math.max(0, deadline - now_ms()) or 1000
  for fd, mask in pairs(poll(watched, wait)) do
    running = multi:SocketAction(fd, mask)
    log("action %d %d -> %d", fd, mask, running)
  end
  if deadline and now_ms() >= deadline then
    deadline = nil
    running = multi:SocketAction(multisock.SOCKET_TIMEOUT, 0)
    log("action timeout -> %d", running)
  end
  while true do
    local msg, easy, result = multi:InfoRead()
    if msg == nil then break end
    if msg == multisock.MSG_DONE then results[easy] = result end
  end
end

-- 8. Report, remove and clean up.
local failed = 0
for n, t in ipairs(transfers) do
  local result = results[t.easy]
  local status = t.easy:GetInfo(multisock.INFO_RESPONSE_CODE)
  if result ~= multisock.MSE_OK then
    print(string.format("0 %s %s", multisock.code_name("easy", result or -1), t.url))
    failed = failed + 1
  else
    local body = t.easy:Body()
    print(string.format("%d %d %s", status, #body, t.url))
    if out then
      local f = assert(io.open(out .. "/" .. n, "wb"))
      f:write(body)
      f:close()
    end
    if status < 200 or status > 299 then failed = failed + 1 end
  end
  multi:RemoveHandle(t.easy)
  t.easy:Close()
end
multi:Close()
os.exit(failed == 0 and 0 or 1)
