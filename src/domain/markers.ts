/** The three single-value extended properties every kada event carries (graph.md). */
const NS = '{5b8c4f3e-2a71-4d0e-9c6b-1f2e3d4c5b6a}';
export const OWNER_PROP = `String ${NS} Name kadaOwner`;
export const KEY_PROP = `String ${NS} Name kadaKey`;
export const HASH_PROP = `String ${NS} Name kadaHash`;

export function markerProperties(institution: string, key: string, hash: string) {
  return [
    { id: OWNER_PROP, value: institution },
    { id: KEY_PROP, value: key },
    { id: HASH_PROP, value: hash },
  ];
}
