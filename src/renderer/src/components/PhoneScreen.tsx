import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { CallView } from '../../../shared/contract';
import type { WorkspaceView } from '../../../shared/workspace/workspace-view';
import { callerDisplay } from '../caller-display';
import { useCommand } from '../hooks/use-command';
import { usePhoneState } from '../hooks/use-phone-state';
import { useWorkspaceState } from '../hooks/use-workspace-state';
import type { PhoneProblem } from '../state/phone-store';
import { AccountSettingsForm } from './AccountSettingsForm';
import { AudioDeviceSettings } from './AudioDeviceSettings';
import { BreakOffer } from './BreakOffer';
import { DeskSettings } from './DeskSettings';
import { HeadsetSettings } from './HeadsetSettings';
import { BreakPanel } from './BreakPanel';
import { CallerCard } from './CallerCard';
import { CallList } from './CallList';
import { CommandErrorAlert } from './CommandErrorAlert';
import { HeatChecklist } from './HeatChecklist';
import { LanguageSettings } from './LanguageSettings';
import { DiagnosticsActions } from './DiagnosticsActions';
import { NotesPad } from './NotesPad';
import { RecentCalls } from './RecentCalls';
import { RegistrationStatus } from './RegistrationStatus';
import { ReminderBanner, type ReminderBannerProps } from './ReminderBanner';
import { ShortcutSheet } from './ShortcutSheet';
import { RingtoneLockNotice } from './RingtoneLockNotice';
import { StorageNotices } from './StorageNotices';
import { DataProtectionNotice } from './DataProtectionNotice';
import { WrapUpPanel } from './WrapUpPanel';

/** Props of {@link PhoneScreen}. */
export interface PhoneScreenProps {
  api: CalmlineApi;
}

/** The calls the workspace column is about: who is on the card, whose notes and checklist. */
export interface WorkCalls {
  /** The caller on the card: the answered call, else the one in wrap-up, else the ringing one. */
  card: CallView | undefined;
  /** The call the notes and checklist belong to: the answered call, else the one in wrap-up. */
  notes: CallView | undefined;
}

const talking = new Set<CallView['state']>(['active', 'held', 'transferring']);

/** Chooses the calls the caller card, notes pad and checklist show (plain code). */
export function workCalls(
  calls: readonly CallView[],
  recentlyEnded: readonly CallView[],
  wrapUp: WorkspaceView['wrapUp'],
): WorkCalls {
  const live = calls.filter((call) => call.state !== 'ended' && call.consultFor === null);
  const answered = live.find((call) => talking.has(call.state) && call.answeredAt !== null);
  const ringing = live.find((call) => call.state === 'ringing' && call.direction === 'incoming');
  const wrapping = wrapUp
    ? (calls.find((call) => call.id === wrapUp.callId) ?? recentlyEnded.find((call) => call.id === wrapUp.callId))
    : undefined;
  // The call in wrap-up keeps the card, its notes and checklist until the wrap-up
  // ends: a stranger ringing meanwhile waits in the strip, not on the card.
  return { card: answered ?? wrapping ?? ringing, notes: answered ?? wrapping };
}

const isShown = (reminder: WorkspaceView['reminders'][number]): reminder is ReminderBannerProps['reminder'] =>
  reminder.status === 'shown';

/**
 * The agent's screen: registration and availability, storage notices and
 * reminders, then either the break panel (while on break) or the calls with the
 * wrap-up and break offer, beside the workspace for the current call (caller
 * card, notes pad, checklist). Settings open by themselves while no account is set up.
 */
export function PhoneScreen({ api }: PhoneScreenProps) {
  const { t } = useTranslation();
  const { phone, recentlyEnded, problem } = usePhoneState(api);
  const workspace = useWorkspaceState(api);
  const view = workspace.view;
  // null: the agent has not chosen, so settings follow the registration status.
  const [settingsChoice, setSettingsChoice] = useState<boolean | null>(null);
  const settingsId = useId();
  const workspaceHeadingId = useId();
  const settingsOpen = settingsChoice ?? phone?.registration.status === 'unconfigured';
  const breakCommand = useCommand();
  const takeBreakRef = useRef<HTMLButtonElement>(null);

  const calls = phone?.calls ?? [];
  const status = view?.status ?? null;
  const activeBreak = status === 'on-break' ? (view?.activeBreak ?? null) : null;
  // "Available" only while the phone can be reached: otherwise the header says Unavailable.
  const shownStatus =
    status === 'available' && phone !== null && phone.registration.status !== 'registered' ? 'unavailable' : status;
  const work = workCalls(calls, recentlyEnded, view?.wrapUp ?? null);
  const run = work.notes ? view?.checklists[work.notes.id] : undefined;
  const wrapUp = view?.wrapUp ?? null;
  const wrapUpCall = wrapUp ? [...calls, ...recentlyEnded].find((call) => call.id === wrapUp.callId) : undefined;
  const reminders = (view?.reminders ?? []).filter(isShown);

  // Back from a break: focus goes to where the agent can take the next step.
  const [lastStatus, setLastStatus] = useState(status);
  const [returned, setReturned] = useState(false);
  if (lastStatus !== status) {
    setLastStatus(status);
    setReturned(lastStatus === 'on-break');
  }
  useEffect(() => {
    if (returned) takeBreakRef.current?.focus();
  }, [returned]);

  return (
    <div className="app">
      <header className="app-header">
        <h1 className="app-title">{t('app.title')}</h1>
        <RegistrationStatus registration={phone?.registration ?? null} />
        {shownStatus !== null && (
          <p
            className={`availability availability-${shownStatus}`}
            data-testid="availability"
            data-status={shownStatus}
          >
            <span className="visually-hidden">{t('availability.label')}: </span>
            {t(`availability.${shownStatus}`)}
          </p>
        )}
        {(status === 'available' || status === 'ringing') && (
          <button
            ref={takeBreakRef}
            type="button"
            className="button button-quiet"
            onClick={() => breakCommand.run(() => api.startBreak('regular'))}
          >
            {t('availability.takeBreak')}
          </button>
        )}
        <ShortcutSheet />
        <button
          type="button"
          className="button button-quiet"
          aria-expanded={settingsOpen}
          aria-controls={settingsOpen ? settingsId : undefined}
          onClick={() => setSettingsChoice(!settingsOpen)}
        >
          {t('app.settings')}
        </button>
      </header>
      <main className="app-main">
        {problem && <PhoneProblemAlert problem={problem} />}
        {workspace.problem !== null && (
          <CommandErrorAlert
            code={workspace.problem === 'invalid-update' ? 'internal' : workspace.problem}
            lead={t('availability.loadFailed')}
          />
        )}
        {breakCommand.error !== null && <CommandErrorAlert code={breakCommand.error} lead={t('breaks.notStarted')} />}
        <DataProtectionNotice api={api} />
        <RingtoneLockNotice />
        <StorageNotices api={api} />
        {reminders.map((reminder) => (
          <ReminderBanner key={reminder.kind} reminder={reminder} api={api} />
        ))}
        {activeBreak ? (
          <BreakPanel activeBreak={activeBreak} api={api} />
        ) : (
          <div className="workspace-layout">
            <div className="workspace-calls">
              {wrapUp && (
                <WrapUpPanel
                  key={wrapUp.callId}
                  wrapUp={wrapUp}
                  prompt={view?.prompt ?? null}
                  caller={wrapUpCall ? callerDisplay(wrapUpCall).primary : ''}
                  api={api}
                />
              )}
              {view?.breakOffer && (status === 'available' || status === 'ringing') && (
                <BreakOffer offer={view.breakOffer} api={api} />
              )}
              <CallList
                calls={calls}
                api={api}
                callLengthHint={view?.callLengthHint ?? null}
                prompt={view?.prompt ?? null}
              />
              <RecentCalls calls={recentlyEnded} />
            </div>
            <section className="workspace-side" aria-labelledby={workspaceHeadingId}>
              <h2 id={workspaceHeadingId} className="visually-hidden">
                {t('workspace.heading')}
              </h2>
              {work.card ? (
                <CallerCard key={`card-${work.card.id}`} call={work.card} api={api} />
              ) : (
                <p className="muted workspace-idle">{t('workspace.idle')}</p>
              )}
              {work.notes && (
                <NotesPad
                  key={`notes-${work.notes.id}`}
                  callId={work.notes.id}
                  caller={callerDisplay(work.notes).primary || t('calls.unknownCaller')}
                  api={api}
                />
              )}
              {run && <HeatChecklist key={`checklist-${run.callId}`} run={run} api={api} />}
            </section>
          </div>
        )}
        {settingsOpen && (
          <div id={settingsId} className="settings-panel">
            <AccountSettingsForm
              api={api}
              // Keep the form open after a save from the automatic opening, so
              // the agent sees "Saved" instead of the form vanishing.
              onSaved={() => setSettingsChoice(true)}
              onClose={() => setSettingsChoice(false)}
            />
            <LanguageSettings api={api} />
            <AudioDeviceSettings api={api} />
            <HeadsetSettings api={api} />
            <DeskSettings api={api} />
            <DiagnosticsActions api={api} />
          </div>
        )}
      </main>
    </div>
  );
}

function PhoneProblemAlert({ problem }: { problem: PhoneProblem }) {
  const { t } = useTranslation();
  if (problem.kind === 'invalid-update') {
    return (
      <p role="alert" className="alert">
        {t('phone.invalidUpdate')}
      </p>
    );
  }
  return <CommandErrorAlert code={problem.code} lead={t('phone.loadFailed')} />;
}
