// The replay player's chunk (pageheat-player.js): rrweb's Replayer, loaded by the
// dashboard's replay page only (pages/replay.ts), so the dashboard bundle stays small.
// rrweb is the same pinned 2.x build whose `record` the tracker's recorder ships.
import { Replayer } from "rrweb";

(window as unknown as { pageheatPlayer: unknown }).pageheatPlayer = { Replayer };
