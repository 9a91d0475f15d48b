// docs/DEPLOY.md gives sites the Prosody configuration the tests run: its lua block must be
// prosody/prosody.cfg.lua, byte for byte.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SITE_CONFIG } from '../../scripts/prosody.mjs'

const ROOT = new URL('../..', import.meta.url)

describe('docs/DEPLOY.md', () => {
  it("includes the tests' Prosody configuration verbatim", () => {
    const doc = readFileSync(new URL('docs/DEPLOY.md', ROOT), 'utf8')
    const blocks = [...doc.matchAll(/^```lua\n([\s\S]*?)^```$/gm)].map((m) => m[1])
    expect(blocks).toHaveLength(1)
    expect(blocks[0]).toBe(readFileSync(SITE_CONFIG, 'utf8'))
  })

  it('names every module and limit the config sets', () => {
    const doc = readFileSync(new URL('docs/DEPLOY.md', ROOT), 'utf8')
    const prose = doc.replace(/^```lua\n[\s\S]*?^```$/gm, '')
    for (const word of ['mod_limits', 'mod_smacks', 'muc_room_default_history_length', 'muc_room_locking', 'c2s_stanza_size_limit', 'consider_websocket_secure', 'proxy_read_timeout', 'Upgrade', 'maxStanzaBytes']) {
      expect(prose).toContain(word)
    }
  })
})
