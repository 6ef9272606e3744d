-- payhil: Wireshark dissector for CUP-framed ISO 8583 (China UnionPay POS framing).
--
-- A CUP frame on TCP is: 2-byte big-endian length (not counting itself), 5-byte TPDU
-- (id, destination address, source address), 6-byte header, then the ISO 8583 message (BCD MTI,
-- binary bitmap, fields). Wireshark's own ISO 8583 dissector ("iso8583", Wireshark >= 3.4) expects
-- the message right after a 2-byte length, so this dissector reassembles frames over TCP segments,
-- shows length, TPDU and header, and hands the message on to "iso8583" behind a synthetic length.
--
-- payhil's per-scenario captures (the Allure attachment "host traffic (masked).pcap") use TCP port 8583
-- for both servers and fixed addresses per party: terminal 127.0.0.1, proxy 127.0.0.2, host 127.0.0.3.
-- Port 8583 is this dissector's default, so they decode as they are:
--        wireshark -X lua_script:docs/wireshark-iso8583.lua capture.pcap
--        tshark -X lua_script:docs/wireshark-iso8583.lua -r capture.pcap -V
-- and each message shows once per leg, labelled (cup8583.leg: "terminal → proxy", "proxy → host",
-- "host → proxy", "proxy → terminal"). Another capture (a real one, the proxy's --pcap file):
--        wireshark -X lua_script:docs/wireshark-iso8583.lua -o cup8583.port:PORT capture.pcap
--        tshark -X lua_script:docs/wireshark-iso8583.lua -d tcp.port==PORT,cup8583 -r capture.pcap -V
-- or copy the file into your personal Lua plugins folder and pick "CUP8583" in Decode As.
-- For CUP's BCD numbers set the ISO 8583 preference "Charset for numbers" to binary
-- (-o iso8583.charset:1) and "Binary encode" to binary (-o iso8583.binencode:1).

local cup = Proto("cup8583", "CUP ISO 8583 framing (payhil)")

local f_length = ProtoField.uint16("cup8583.length", "Length", base.DEC)
local f_tpdu = ProtoField.bytes("cup8583.tpdu", "TPDU")
local f_tpdu_id = ProtoField.uint8("cup8583.tpdu.id", "TPDU id", base.HEX)
local f_tpdu_dst = ProtoField.uint16("cup8583.tpdu.dst", "Destination address", base.HEX)
local f_tpdu_src = ProtoField.uint16("cup8583.tpdu.src", "Source address", base.HEX)
local f_header = ProtoField.bytes("cup8583.header", "Header")
local f_mti = ProtoField.string("cup8583.mti", "MTI")
local f_body = ProtoField.bytes("cup8583.body", "ISO 8583 message")
local f_bitmap = ProtoField.bytes("cup8583.bitmap", "Bitmap")
local f_fields = ProtoField.string("cup8583.fields", "Fields present")
local f_leg = ProtoField.string("cup8583.leg", "Leg (payhil capture)")
cup.fields = { f_length, f_tpdu, f_tpdu_id, f_tpdu_dst, f_tpdu_src, f_header, f_mti, f_body, f_bitmap, f_fields, f_leg }

cup.prefs.port = Pref.uint("TCP port", 8583, "TCP port of the host (payhil captures: 8583; 0: use Decode As)")

-- The parties of a payhil capture by address (see the top of this file).
local parties = { ["127.0.0.1"] = "terminal", ["127.0.0.2"] = "proxy", ["127.0.0.3"] = "host" }
cup.prefs.tpdu_bytes = Pref.uint("TPDU bytes", 5, "Bytes of TPDU after the length (CUP: 5)")
cup.prefs.header_bytes = Pref.uint("Header bytes", 6, "Bytes of header after the TPDU (CUP: 6)")

-- Looked up on first use: built-in dissectors may not be registered yet when this script loads.
local iso8583 = nil
local function iso8583_dissector()
  if iso8583 == nil then
    local ok, d = pcall(Dissector.get, "iso8583")
    if ok then iso8583 = d end
  end
  return iso8583
end
local tcp_port = DissectorTable.get("tcp.port")
local registered_port = 0

-- Whole frame length: the prefix value plus the 2 prefix bytes.
local function frame_length(tvb, pinfo, offset)
  return tvb(offset, 2):uint() + 2
end

local function dissect_frame(tvb, pinfo, tree)
  local size = tvb:len()
  pinfo.cols.protocol = "CUP 8583"
  local t = tree:add(cup, tvb(0, size), "CUP ISO 8583 frame")
  local from, to = parties[tostring(pinfo.src)], parties[tostring(pinfo.dst)]
  local leg = nil
  if from ~= nil and to ~= nil then
    leg = from .. " → " .. to
    t:add(f_leg, leg)
  end
  t:add(f_length, tvb(0, 2))
  local offset = 2
  local tpdu = cup.prefs.tpdu_bytes
  if tpdu > 0 and offset + tpdu <= size then
    local tt = t:add(f_tpdu, tvb(offset, tpdu))
    if tpdu == 5 then
      tt:add(f_tpdu_id, tvb(offset, 1))
      tt:add(f_tpdu_dst, tvb(offset + 1, 2))
      tt:add(f_tpdu_src, tvb(offset + 3, 2))
    end
    offset = offset + tpdu
  end
  local header = cup.prefs.header_bytes
  if header > 0 and offset + header <= size then
    t:add(f_header, tvb(offset, header))
    offset = offset + header
  end
  if offset + 2 > size then return size end
  -- The MTI is 4 BCD digits in 2 bytes: its hex text is the MTI.
  local mti = tostring(tvb(offset, 2):bytes())
  t:add(f_mti, tvb(offset, 2), mti)
  t:add(f_body, tvb(offset, size - offset))
  pinfo.cols.info = "MTI " .. mti
  -- Binary bitmap after the MTI (16 bytes when bit 1 announces the secondary bitmap).
  local bm = offset + 2
  if bm + 8 <= size then
    local bytes = 8
    if bit.band(tvb(bm, 1):uint(), 0x80) ~= 0 and bm + 16 <= size then bytes = 16 end
    t:add(f_bitmap, tvb(bm, bytes))
    local present = {}
    for i = 0, bytes - 1 do
      local b = tvb(bm + i, 1):uint()
      for j = 0, 7 do
        local n = i * 8 + j + 1
        if n > 1 and bit.band(b, bit.rshift(0x80, j)) ~= 0 then present[#present + 1] = tostring(n) end
      end
    end
    local list = table.concat(present, " ")
    t:add(f_fields, tvb(bm, bytes), list)
    pinfo.cols.info = "MTI " .. mti .. " fields " .. list
  end
  if leg ~= nil then pinfo.cols.info = leg .. ": " .. tostring(pinfo.cols.info) end
  local sub = iso8583_dissector()
  if sub ~= nil then
    local body = tvb(offset, size - offset):bytes()
    local framed = ByteArray.new()
    framed:set_size(2)
    -- Little-endian: the default of the iso8583 "Length field endian" preference.
    framed:set_index(0, body:len() % 256)
    framed:set_index(1, math.floor(body:len() / 256))
    framed:append(body)
    sub:call(framed:tvb("ISO 8583 message"), pinfo, tree)
    pinfo.cols.protocol = "CUP 8583"
  end
  return size
end

function cup.dissector(tvb, pinfo, tree)
  dissect_tcp_pdus(tvb, tree, 2, frame_length, dissect_frame)
  return tvb:len()
end

function cup.prefs_changed()
  if registered_port ~= 0 then tcp_port:remove(registered_port, cup) end
  registered_port = cup.prefs.port
  if registered_port ~= 0 then tcp_port:add(registered_port, cup) end
end

tcp_port:add_for_decode_as(cup)
registered_port = cup.prefs.port
if registered_port ~= 0 then tcp_port:add(registered_port, cup) end
