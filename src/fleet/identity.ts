// Which fleet a Redis database holds: its name and protocol version, written by the first node to join.
import type { Redis } from 'ioredis';
import { ErrorCodes, FleetError } from '../session/errors.js';

/** What the fleet's keys and messages look like; a node of another protocol is refused. */
export const FLEET_PROTOCOL = 1;

/** The prefix of every key of the fleet named `name`. */
export const fleetPrefix = (name: string): string => `vp-fleet:${name}`;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Joins the fleet `name` on `redis`: the first node records the name and protocol in `<prefix>:meta`; a later node
 * of another protocol is refused with `ERR_FLEET_MISMATCH`. Fleets of other names keep keys of their own.
 */
export async function joinFleet(redis: Redis, name: string): Promise<void> {
  if (!NAME.test(name)) throw new FleetError(ErrorCodes.FLEET_MISMATCH, 'fleet.name', name, `A fleet name is 1-64 letters, digits, '.', '_' or '-', not ${JSON.stringify(name)}`);
  const wanted = JSON.stringify({ name, protocol: FLEET_PROTOCOL });
  const key = `${fleetPrefix(name)}:meta`;
  await redis.set(key, wanted, 'NX');
  const found = await redis.get(key);
  if (found === wanted) return;
  let theirs: { name?: unknown; protocol?: unknown } = {};
  try {
    theirs = JSON.parse(found ?? '{}') as typeof theirs;
  } catch {
    // Not ours: reported below.
  }
  const what = theirs.name === name ? `protocol ${String(theirs.protocol)} (this node speaks ${FLEET_PROTOCOL})` : `the fleet ${JSON.stringify(theirs.name)}`;
  throw new FleetError(ErrorCodes.FLEET_MISMATCH, 'fleet.name', name, `This Redis database holds ${what}; a node of fleet ${JSON.stringify(name)} cannot join it`);
}
