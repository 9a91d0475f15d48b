import * as encoding from 'lib0/encoding'

/**
 * A v2 update of about 20 bytes declaring `n` GC structs: its info and len columns repeat their
 * last value forever (a hostile peer's way to make Yjs build billions of structs).
 */
export function declaredGcs(n: number): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  for (let i = 0; i < 9; i++) encoding.writeVarUint8Array(e, i === 4 || i === 5 ? new Uint8Array([0]) : new Uint8Array())
  for (const x of [1, n, 0, 0, 0]) encoding.writeVarUint(e, x)
  return encoding.toUint8Array(e)
}
