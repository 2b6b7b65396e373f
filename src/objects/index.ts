/**
 * The synced objects in dependency order — parents before the objects that reference them — followed
 * by the configured custom objects.
 */
import { account } from './account';
import { campaign } from './campaign';
import { campaignMember } from './campaign-member';
import { campaignMemberStatus } from './campaign-member-status';
import { contact } from './contact';
import { customObject } from './custom';
import { event } from './event';
import { group } from './group';
import { lead } from './lead';
import { opportunity } from './opportunity';
import { opportunityContactRole } from './opportunity-contact-role';
import { task } from './task';
import type { ObjectDefinition } from './types';
import { user } from './user';

export type { ObjectDefinition } from './types';

/** The object whose key prefix `id` starts with, among `objects`; undefined when none declares it. */
export function objectOfId(objects: readonly ObjectDefinition[], id: string): ObjectDefinition | undefined {
  const prefix = id.slice(0, 3);
  return objects.find((o) => o.keyPrefix === prefix);
}

/** The standard objects Tandem syncs, in dependency order. */
export const STANDARD_OBJECTS: readonly ObjectDefinition[] = [
  user,
  group,
  account,
  contact,
  lead,
  campaign,
  campaignMember,
  campaignMemberStatus,
  opportunity,
  opportunityContactRole,
  task,
  event,
];

/** Thrown when an object name is not among the synced objects; the message lists them. */
export class UnknownObjectError extends Error {
  override readonly name = 'UnknownObjectError';
}

/** The standard objects followed by the configured custom objects (duplicates of standard names ignored). */
export function syncedObjects(customObjects: readonly string[] = []): ObjectDefinition[] {
  const standardNames = STANDARD_OBJECTS.map((o) => o.name);
  const custom = [...new Set(customObjects)]
    .filter((name) => !standardNames.includes(name))
    .map((name) => customObject(name, standardNames));
  return [...STANDARD_OBJECTS, ...custom];
}

/** The definition of `name` among `objects`; throws UnknownObjectError when it is not synced. */
export function objectDefinition(objects: readonly ObjectDefinition[], name: string): ObjectDefinition {
  const found = objects.find((o) => o.name === name);
  if (!found)
    throw new UnknownObjectError(
      `Unknown object ${JSON.stringify(name)}; synced objects are ${objects.map((o) => o.name).join(', ')}`,
    );
  return found;
}
