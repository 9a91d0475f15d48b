/**
 * Content anchors as Yjs item ids (`client:clock`), read straight off the types the mirror
 * gives (KindHost.typeOf): what a Yjs RelativePosition with assoc 0 holds, in text. Nothing
 * here imports yjs: the presence bundle loads beside the engine's, and a second copy of Yjs in
 * one page breaks its `instanceof` checks. The fields read (`_item`, `_start`, `right`, `id`,
 * `length`, `deleted`, `countable`) are Yjs 13's struct layout.
 */

interface Id {
  client: number
  clock: number
}
interface ItemLike {
  id: Id
  length: number
  deleted: boolean
  countable: boolean
  right: ItemLike | null
}
interface TypeLike {
  _item: ItemLike | null
  _start: ItemLike | null
}

const idText = (id: Id, offset = 0): string => `${id.client}:${id.clock + offset}`

/** The id of the element or text type itself (its item), or undefined for a root type. */
export function typeRef(type: unknown): string | undefined {
  const item = (type as TypeLike | undefined)?._item
  return item ? idText(item.id) : undefined
}

/**
 * The id of the character at `index` of a text type, or of the last one with `+` when `index`
 * is its length (a caret at the end); undefined for an empty text.
 */
export function charRef(text: unknown, index: number): string | undefined {
  let seen = 0
  let last: string | undefined
  for (let item = (text as TypeLike)._start; item !== null; item = item.right) {
    if (item.deleted || !item.countable) continue
    if (index < seen + item.length) return idText(item.id, index - seen)
    seen += item.length
    last = idText(item.id, item.length - 1)
  }
  return last === undefined ? undefined : `${last}+`
}

/**
 * The index in a text type of a character id (`+`: just after it). A deleted character gives
 * the place it was at; an id the text does not hold gives undefined.
 */
export function charIndex(text: unknown, ref: string): number | undefined {
  const after = ref.endsWith('+')
  const [c, k] = (after ? ref.slice(0, -1) : ref).split(':').map(Number) as [number, number]
  let seen = 0
  for (let item = (text as TypeLike)._start; item !== null; item = item.right) {
    const { client, clock } = item.id
    const visible = !item.deleted && item.countable
    if (client === c && k >= clock && k < clock + item.length) return visible ? seen + (k - clock) + (after ? 1 : 0) : seen
    if (visible) seen += item.length
  }
  return undefined
}
