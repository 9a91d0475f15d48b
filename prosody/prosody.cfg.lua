-- XML Sync Islands: a Prosody 0.12 for a public site's readers (docs/DEPLOY.md explains it line
-- by line). Replace example.org with the site's domain. The project's tests run this very file
-- (scripts/prosody.mjs), with only loopback ports, paths and a test account host added after it.

-- Behind the site's own web server: it terminates TLS and forwards /xmpp-websocket here.
interfaces = { "127.0.0.1" }
http_interfaces = { "127.0.0.1" }
http_ports = { 5280 }
https_ports = { }
-- WebSocket only: no client, server or component ports open.
c2s_ports = { }
c2s_direct_tls_ports = { }
s2s_ports = { }
component_ports = { }
-- The proxy asks for the site's host name, which is no VirtualHost here.
http_default_host = "anon.example.org"
trusted_proxies = { "127.0.0.1", "::1" }
-- TLS ends at the proxy; the hop from it to here is the loopback.
consider_websocket_secure = true

modules_enabled = {
	"saslauth"; "disco"; "ping"; "presence"; "message"; "iq";
	"websocket"; "posix";
	-- XEP-0198: a short cut (a phone's network) is resumed without a rejoin.
	"smacks";
	-- Bytes each client may send, so that one reader cannot flood the server.
	"limits";
}
-- No federation, no offline storage (sync traffic is live only).
modules_disabled = { "s2s"; "offline" }

-- Per connection, what it sends: a 10,000-shape drawing's whole state (about 2.6 MB in 43
-- stanzas) goes in about 6 s (4 s unlimited); Prosody's default (10 kB/s) would take minutes and
-- starve every live edit behind it.
limits = {
	c2s = { rate = "1mb/s"; burst = "2s" };
}
-- The engine writes no stanza over 62 KiB and its bridge none over 64 KiB, the one WebSocket
-- message a browser never splits (docs/PROTOCOL.md, "Splitting"); Prosody closes a stream on a
-- larger stanza. Prosody's default is 256 KiB.
c2s_stanza_size_limit = 64 * 1024
-- Default 4096 bytes per read caps a connection at 2-4 MB/s; Nagle adds 40-90 ms round trips
-- on 16-64 KiB stanzas.
network_default_read_size = 65536
network_settings = { nagle = false }
-- How long a dropped session is kept for resumption (Prosody's default is 600 s): its reader
-- stays listed that long, so keep it short.
smacks_hibernation_time = 120

storage = "internal"

-- Readers log in anonymously (SASL ANONYMOUS); the account vanishes when they leave.
VirtualHost "anon.example.org"
	authentication = "anonymous"
	allow_anonymous_s2s = false

Component "rooms.example.org" "muc"
	-- A room is made by its first reader and usable at once (no owner configuration step) ...
	restrict_room_creation = false
	muc_room_locking = false
	-- ... replays no history: sync traffic must never be replayed to joiners ...
	muc_room_default_history_length = 0
	-- ... and is not listed: a private room's secret name is not shown to anyone who asks.
	muc_room_default_public = false
	muc_room_default_persistent = false
	muc_tombstones = false
