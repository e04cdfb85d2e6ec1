import { useId, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import { threatKinds, type CallerFlag, type FollowUp } from '../../../shared/caller-record';
import type { CallView } from '../../../shared/contract';
import { sanitizeDisplayText } from '../../../shared/display-text';
import { callerDisplay, noCallerKey } from '../caller-display';
import { useCallerRecord } from '../hooks/use-caller-record';
import { useCommand } from '../hooks/use-command';
import { formatDate, formatDateTime } from '../workspace-format';
import { AddFlagForm } from './AddFlagForm';
import { CommandErrorAlert } from './CommandErrorAlert';
import { DirectoryStatusNotice, type DirectoryStatusApi } from './DirectoryStatusNotice';
import { ExportRecord } from './ExportRecord';
import { IncidentList } from './IncidentList';
import { RecordIncidentForm } from './RecordIncidentForm';
import { TextField } from './TextField';

/** The commands the caller card reads and sends. */
export type CallerCardApi = Pick<
  CalmlineApi,
  | 'lookupCaller'
  | 'callsForCaller'
  | 'onCallerPrefetched'
  | 'addCallerFlag'
  | 'clearCallerFlag'
  | 'completeFollowUp'
  | 'setPreferredAddress'
  | 'recordIncident'
  | 'exportCallerRecord'
> &
  DirectoryStatusApi;

/** Props of {@link CallerCard}. */
export interface CallerCardProps {
  /** The ringing, active or just-ended call whose caller this is. */
  call: CallView;
  api: CallerCardApi;
}

const isThreat = (flag: CallerFlag): boolean => (threatKinds as readonly string[]).includes(flag.kind);

// A follow-up's text may be a paragraph; a button's accessible name should be a glance.
const MAX_FOLLOW_UP_LABEL_LENGTH = 80;

/**
 * Who is calling and what the agent should know before saying hello (P6, D3, D5 in docs/practice.md):
 * the name and number at once (from the call itself), then, once the directory has
 * answered, the caller's flags (threats as an alert), the preferred form of address,
 * open follow-ups and the last calls with their notes; "First call" when nothing is
 * known. The agent can flag the caller, clear a flag, mark a follow-up done and set
 * the form of address; once the call is answered, also record a threat incident and
 * export the record (D5).
 */
export function CallerCard({ call, api }: CallerCardProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  const headingId = useId();
  const display = callerDisplay(call);
  const caller = display.primary || t(noCallerKey(call));
  const number = call.remoteNumber.trim();
  const known = useCallerRecord(api, number, call.id);
  const command = useCommand();
  const followUpCommand = useCommand();
  const [status, setStatus] = useState('');

  const flags = known.record?.flags.filter((flag) => flag.clearedAt === undefined) ?? [];
  const threats = flags.filter(isThreat);
  const others = flags.filter((flag) => !isThreat(flag));
  const followUps = known.record?.followUps.filter((followUp) => !followUp.done) ?? [];
  const incidents = known.record?.incidents ?? [];
  // Threats are said on the line: the incident and the report make sense from answer on.
  const reportable = number !== '' && call.answeredAt !== null;
  const lastCalls = known.calls.filter((record) => record.callId !== call.id).slice(0, 3);
  const firstCall =
    !known.loading &&
    !known.callsLoading &&
    known.error === null &&
    flags.length === 0 &&
    followUps.length === 0 &&
    incidents.length === 0 &&
    lastCalls.length === 0 &&
    known.record?.preferredAddress === undefined;

  const clearFlag = (flag: CallerFlag) =>
    command.run(async () => {
      const result = await api.clearCallerFlag(number, flag.id);
      if (result.ok) {
        setStatus(t('card.flagCleared'));
        known.reload();
      }
      return result;
    });

  const completeFollowUp = (followUp: FollowUp) =>
    followUpCommand.run(async () => {
      const result = await api.completeFollowUp(number, followUp.id);
      if (result.ok) setStatus(t('card.followUpCompleted'));
      // Gone (done or removed elsewhere): show the record as it now is, with the error.
      if (result.ok || result.error.code === 'not-found') known.reload();
      return result;
    });

  const followUpSummary = (followUp: FollowUp): string =>
    t(`card.followUp.${followUp.kind}`, { date: formatDate(followUp.due, language) });

  const flagItem = (flag: CallerFlag) => (
    <li key={flag.id} className="flag" data-testid="caller-flag" data-kind={flag.kind}>
      <p className="flag-kind">{t(`flagKind.${flag.kind}`)}</p>
      <p className="flag-reason" dir="auto">
        {flag.reason}
      </p>
      <p className="flag-meta">
        {t('card.flagBy', { author: flag.author, date: formatDateTime(flag.createdAt, language) })}
      </p>
      <button
        type="button"
        className="button button-quiet button-small"
        aria-label={t('card.clearFlagLabel', { kind: t(`flagKind.${flag.kind}`) })}
        onClick={() => clearFlag(flag)}
      >
        {t('card.clearFlag')}
      </button>
    </li>
  );

  return (
    <section
      className="card caller-card"
      aria-labelledby={headingId}
      data-testid="caller-card"
      data-call-id={call.id}
      data-first-call={firstCall || undefined}
    >
      <h2 id={headingId} className="section-heading">
        {t('card.heading')}
      </h2>
      <p className="card-name" dir="auto" data-testid="caller-card-name">
        {caller}
      </p>
      {display.secondary !== '' && (
        <p className="card-number" dir="auto">
          {display.secondary}
        </p>
      )}
      {number === '' && <p className="muted">{t('card.noNumber')}</p>}
      <DirectoryStatusNotice api={api} />
      {known.loading && (
        <p className="muted" role="status">
          {t('card.loading')}
        </p>
      )}
      {known.error === 'storage-unavailable' ? (
        // The host keeps no agent data (a lab set-up): a fact, not an alarm on every call.
        <p className="muted">{t('errors.storage-unavailable')}</p>
      ) : (
        known.error !== null && <CommandErrorAlert code={known.error} lead={t('card.loadFailed')} />
      )}
      {firstCall && (
        <p className="first-call" data-testid="first-call">
          <strong>{t('card.firstCall')}</strong> {t('card.firstCallHint')}
        </p>
      )}
      {threats.length > 0 && (
        <div role="alert" className="flags flags-threat" data-testid="threat-flags">
          <h3 className="flags-heading">{t('card.threatHeading')}</h3>
          <ul className="flag-list">{threats.map(flagItem)}</ul>
        </div>
      )}
      <IncidentList incidents={incidents} />
      {others.length > 0 && (
        <div className="flags" data-testid="caller-flags">
          <h3 className="flags-heading">{t('card.flagsHeading')}</h3>
          <ul className="flag-list">{others.map(flagItem)}</ul>
        </div>
      )}
      {number !== '' && !known.loading && (
        <PreferredAddress
          number={number}
          text={known.record?.preferredAddress?.text ?? ''}
          api={api}
          onSaved={() => {
            setStatus(t('card.addressSaved'));
            known.reload();
          }}
        />
      )}
      {followUps.length > 0 && (
        <div className="card-block" data-testid="follow-ups">
          <h3 className="card-subheading">{t('card.followUpsHeading')}</h3>
          <ul className="plain-list">
            {followUps.map((followUp) => (
              <li key={followUp.id} data-testid="follow-up">
                <strong>{followUpSummary(followUp)}</strong>
                {followUp.text !== '' && (
                  <>
                    {' '}
                    <span dir="auto">{followUp.text}</span>
                  </>
                )}{' '}
                <button
                  type="button"
                  className="button button-quiet button-small"
                  aria-label={t('card.completeFollowUpLabel', {
                    followUp:
                      sanitizeDisplayText(followUp.text, MAX_FOLLOW_UP_LABEL_LENGTH) || followUpSummary(followUp),
                  })}
                  aria-disabled={followUpCommand.pending || undefined}
                  onClick={() => completeFollowUp(followUp)}
                >
                  {t('card.completeFollowUp')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {followUpCommand.error !== null && (
        <CommandErrorAlert code={followUpCommand.error} lead={t('card.followUpNotCompleted')} />
      )}
      {lastCalls.length > 0 && (
        <div className="card-block">
          <h3 className="card-subheading">{t('card.lastCallsHeading')}</h3>
          <ul className="plain-list">
            {lastCalls.map((record) => {
              const time = (
                <time dateTime={new Date(record.startedAt).toISOString()} className="last-call-time">
                  {t('card.callOn', { date: formatDateTime(record.startedAt, language) })}
                </time>
              );
              const outcome = record.outcome;
              // A call nobody talked in is one short line; notes and promises stay prominent.
              if (outcome !== undefined && outcome !== 'answered' && !record.note?.text) {
                return (
                  <li
                    key={record.callId}
                    className="last-call last-call-compact"
                    data-testid="last-call"
                    data-outcome={outcome}
                  >
                    <span className="last-call-outcome">{t(`card.outcome.${outcome}`)}</span> {time}
                  </li>
                );
              }
              return (
                <li key={record.callId} className="last-call" data-testid="last-call" data-outcome={record.outcome}>
                  {time}
                  <p className="last-call-note" dir="auto">
                    {record.note?.text ? record.note.text : <span className="muted">{t('card.noNote')}</span>}
                  </p>
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {number !== '' && (
        <AddFlagForm
          number={number}
          callId={call.id}
          caller={caller}
          api={api}
          onAdded={() => {
            setStatus(t('card.flagAdded'));
            known.reload();
          }}
        />
      )}
      {reportable && (
        <>
          <RecordIncidentForm
            number={number}
            callId={call.id}
            caller={caller}
            api={api}
            onRecorded={() => {
              setStatus(t('incident.recorded'));
              known.reload();
            }}
          />
          <ExportRecord number={number} caller={caller} api={api} />
        </>
      )}
      {command.error !== null && <CommandErrorAlert code={command.error} />}
      <p className="visually-hidden" role="status">
        {status}
      </p>
    </section>
  );
}

interface PreferredAddressProps {
  number: string;
  text: string;
  api: Pick<CalmlineApi, 'setPreferredAddress'>;
  onSaved(): void;
}

/** The caller's preferred form of address (P6), shown and editable in place. */
function PreferredAddress({ number, text, api, onSaved }: PreferredAddressProps) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(text);
  const command = useCommand();

  const save = () =>
    command.run(async () => {
      const result = await api.setPreferredAddress(number, draft.trim());
      if (result.ok) {
        setEditing(false);
        onSaved();
      }
      return result;
    });

  return (
    <div className="card-block address">
      <h3 className="card-subheading">{t('card.addressHeading')}</h3>
      {text !== '' ? (
        <p className="address-text" data-testid="preferred-address">
          <Trans
            i18nKey="card.addressAs"
            values={{ text }}
            components={{ address: <bdi dir="auto" className="strong" /> }}
          />
        </p>
      ) : (
        <p className="muted">{t('card.addressNone')}</p>
      )}
      {editing ? (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            save();
          }}
        >
          <TextField
            label={t('card.addressField')}
            hint={t('card.addressHint')}
            value={draft}
            onChange={setDraft}
            dir="auto"
            maxLength={128}
          />
          <div className="form-actions">
            <button type="submit" className="button button-primary" aria-disabled={command.pending || undefined}>
              {t('card.saveAddress')}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setEditing(false)}>
              {t('card.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <button
          type="button"
          className="button button-quiet button-small"
          aria-label={text !== '' ? t('card.changeAddressLabel') : undefined}
          onClick={() => {
            setDraft(text);
            setEditing(true);
          }}
        >
          {text !== '' ? t('card.changeAddress') : t('card.setAddress')}
        </button>
      )}
      {command.error !== null && <CommandErrorAlert code={command.error} />}
    </div>
  );
}
