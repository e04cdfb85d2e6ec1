/**
 * What the agent's desk knows about a caller: flags that warn the next agent (D3, D4,
 * D5), the preferred form of address (P6), follow-up commitments (H4) and threat
 * incidents for the report (D5). An interface, so a directory shared by a whole call
 * centre can replace the local one later; every method is async for that reason.
 * Rule codes (D3 …) are defined in docs/practice.md.
 */
import {
  type CallerFlag,
  type CallerRecord,
  type FlagKind,
  type FollowUp,
  type FollowUpKind,
  type ThreatIncident,
  type ThreatKind,
} from '../../../shared/caller-record';

// The schemas live in the shared contract; storage and IPC validate with the same ones.
export * from '../../../shared/caller-record';

/** Input of `addFlag`. */
export interface NewFlag {
  kind: FlagKind;
  reason: string;
  author: string;
  callId?: string;
}

/** Input of `addFollowUp`. */
export interface NewFollowUp {
  callId: string;
  kind: FollowUpKind;
  due: number;
  text: string;
  author: string;
}

/** Input of `recordIncident`. */
export interface NewIncident {
  callId: string;
  kind: ThreatKind;
  whatWasSaid: string;
  occurredAt: number;
  /** Defaults to "the caller". */
  saidBy?: string;
  recordedBy: string;
}

/** A follow-up with the caller it belongs to. */
export interface FollowUpListItem extends FollowUp {
  number: string;
}

/** Which follow-ups to list. */
export interface FollowUpQuery {
  /** Include completed ones (default false). */
  includeDone?: boolean;
  /** Only those due before this time (epoch ms). */
  dueBefore?: number;
}

/** The caller directory. Every write resolves only once it is on disk (or shared). */
export interface CallerDirectory {
  /** The caller's entry, or undefined when nothing is known (or the number is anonymous). */
  lookup(number: string): Promise<CallerRecord | undefined>;
  addFlag(number: string, flag: NewFlag): Promise<CallerFlag>;
  /** Marks a flag cleared (it stays in the record, for the history). */
  clearFlag(number: string, flagId: string, clearedBy: string): Promise<CallerFlag>;
  /** Sets, or with `undefined` / an empty text removes, the preferred form of address. */
  setPreferredAddress(number: string, text: string | undefined, author: string): Promise<CallerRecord | undefined>;
  addFollowUp(number: string, followUp: NewFollowUp): Promise<FollowUp>;
  completeFollowUp(number: string, followUpId: string): Promise<FollowUp>;
  /** Follow-ups of every caller, earliest due first. */
  listFollowUps(query?: FollowUpQuery): Promise<FollowUpListItem[]>;
  /** Records a threat and raises the matching flag unless one of that kind is active. */
  recordIncident(number: string, incident: NewIncident): Promise<{ incident: ThreatIncident; flag: CallerFlag }>;
}

/** The flags not cleared yet: what the caller card shows. */
export function activeFlags(record: CallerRecord | undefined): CallerFlag[] {
  return record?.flags.filter((flag) => flag.clearedAt === undefined) ?? [];
}
