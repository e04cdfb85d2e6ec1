import { useEffect, useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { CalmlineApi } from '../../../shared/api';
import type { CallView, ConsentAction } from '../../../shared/contract';
import { shortcutTargets, type CallAction, type CallShortcut } from '../call-controls';
import { callerDisplay, noCallerKey } from '../caller-display';
import { useCallPolicy } from '../hooks/use-call-policy';
import { useCallShortcuts } from '../hooks/use-call-shortcuts';
import { useCallActionRequests } from '../hooks/use-call-action-requests';
import { CallPanel, type CallPanelApi } from './CallPanel';
import { ConsentDialog, type ConsentDialogApi, type ConsentOutcome } from './ConsentDialog';
import { DialForm } from './DialForm';
import { transferProgressText } from './TransferStatus';
import type { WorkspaceView } from '../../../shared/workspace/workspace-view';
import { localize } from '../../../shared/workspace/localized-text';
import { prefetchedCallersFor } from '../state/prefetched-callers';

/** Everything the call list and its panels send to main. */
export type CallListApi = CallPanelApi &
  ConsentDialogApi &
  Pick<CalmlineApi, 'dial' | 'getCallPolicy'> &
  Partial<Pick<CalmlineApi, 'onCallerPrefetched'>>;

/** Props of {@link CallList}. */
export interface CallListProps {
  /** All calls main reports; ended ones are left to the recent-calls list. */
  calls: readonly CallView[];
  api: CallListApi;
  /** The call-length hint (D2, docs/practice.md) main gives for a call that has gone on long. */
  callLengthHint?: { callId: string; minutes: number } | null;
  /** The prompt main shows (the configured greeting at answer, P2). */
  prompt?: WorkspaceView['prompt'];
}

/** The permission prompt that is open, if any. */
interface ConsentPrompt {
  /** Tells one opening from the next, so a late answer cannot close a newer prompt. */
  serial: number;
  callId: string;
  action: ConsentAction;
  opener: HTMLElement | null;
  /** A waiting call to answer once this (live) call is on hold. */
  answerAfter?: string;
}

// Counts every opening of a prompt, across lists, so serials never repeat.
let promptSerials = 0;
const nextPromptSerial = (): number => (promptSerials += 1);

const callerOf = (call: CallView, t: TFunction): string => callerDisplay(call).primary || t(noCallerKey(call));

/** What changed between two phone states, in one sentence per change, for screen readers. */
function describeChanges(before: readonly CallView[], after: readonly CallView[], t: TFunction): string {
  const said: string[] = [];
  for (const call of after) {
    const previous = before.find((candidate) => candidate.id === call.id);
    if (!previous) continue;
    const caller = callerOf(call, t);
    if (previous.state !== call.state) {
      if (call.state === 'ended') said.push(t('announce.ended', { caller }));
      else if (call.state === 'held' && previous.state === 'active') said.push(t('announce.held', { caller }));
      else if (call.state === 'active' && previous.state === 'held') said.push(t('announce.resumed', { caller }));
      else if (call.state === 'active') said.push(t('announce.connected', { caller }));
      // A failed transfer says so itself, in an alert in the panel.
    }
    if (call.state !== 'ended' && call.transfer && call.transfer.status !== 'failed') {
      const was = previous.transfer;
      if (was?.status !== call.transfer.status || was.statusCode !== call.transfer.statusCode) {
        said.push(transferProgressText(call.transfer, undefined, t));
      }
    }
    if (call.state !== 'ended' && previous.remoteHold !== call.remoteHold) {
      said.push(t(call.remoteHold ? 'announce.remoteHold' : 'announce.remoteResumed', { caller }));
    }
    if (call.state === 'active' && previous.muted !== call.muted) {
      said.push(t(call.muted ? 'announce.muted' : 'announce.unmuted'));
    }
  }
  return said.join(' ');
}

/** Changes whenever something worth announcing changes. */
const signatureOf = (calls: readonly CallView[]): string =>
  calls
    .map((call) =>
      [call.id, call.state, call.remoteHold, call.muted, call.transfer?.status, call.transfer?.statusCode].join(':'),
    )
    .join('|');

/** How many open flags the prefetched record of a waiting call has (0 until it is pushed). */
function useWaitingFlags(api: CallListApi, call: CallView): number {
  // The window's one cache, keyed by the API object itself (it holds what main pushed).
  const cache = api.onCallerPrefetched
    ? prefetchedCallersFor(api as Required<Pick<CallListApi, 'onCallerPrefetched'>>)
    : undefined;
  const count = (record: { flags: readonly { clearedAt?: number | undefined }[] } | null | undefined) =>
    record?.flags.filter((flag) => flag.clearedAt === undefined).length ?? 0;
  const [flags, setFlags] = useState(() => count(cache?.get(call.id, call.remoteNumber)));
  useEffect(() => cache?.subscribe(call.id, (record) => setFlags(count(record))), [cache, call.id]);
  return flags;
}

/** A ringing call in the waiting strip: one compact row. */
function WaitingCall(props: {
  call: CallView;
  api: CallListApi;
  holdFirst: CallView | undefined;
  shortcuts: readonly CallShortcut[];
  onAnswerWithHold(opener: HTMLElement): void;
  registerButton(action: CallAction, element: HTMLButtonElement | null): void;
}) {
  const flags = useWaitingFlags(props.api, props.call);
  return (
    <CallPanel
      call={props.call}
      api={props.api}
      shortcuts={props.shortcuts}
      registerButton={props.registerButton}
      waiting={{
        flags,
        answerNeedsHold: !props.call.allowed.answer && props.holdFirst !== undefined,
        onAnswerWithHold: props.onAnswerWithHold,
      }}
    />
  );
}

/**
 * The calls the agent can act on: the live call pinned at the top (its buttons
 * never move when calls ring or end), then the waiting calls in a compact strip
 * below it, with the permission prompt,
 * keyboard shortcuts and a "New call" field. Live regions announce an incoming
 * call (assertively) and other changes of the calls (politely), since a panel
 * appearing or changing is not announced by itself.
 */
export function CallList({ calls, api, callLengthHint = null, prompt: shownPrompt = null }: CallListProps) {
  const { t, i18n } = useTranslation();
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Panels register their buttons here, so shortcuts can press them and focus can
  // return to them. A plain object that lives as long as the list, never rendered.
  const [buttons] = useState(() => new Map<string, HTMLButtonElement>());
  const open = calls.filter((call) => call.state !== 'ended');
  const ringing = open.filter((call) => call.state === 'ringing' && call.direction === 'incoming');
  const waiting = [...ringing].sort((a, b) => a.offeredAt - b.offeredAt);
  const live = open.filter((call) => !ringing.includes(call));
  // The live caller to hold (with consent, P4) before a waiting call can be answered.
  const holdFirst = live.find((call) => call.state === 'active' && call.allowed.hold && call.consultFor === null);
  const announced = ringing.at(-1);
  const language = i18n.resolvedLanguage ?? i18n.language;
  const greeting = shownPrompt?.kind === 'greeting' ? localize(shownPrompt.text, language) : undefined;

  // For the consent dialog: who a transfer or escalation would go to.
  const policy = useCallPolicy(api, open.map((call) => call.id).join(' '));

  const [prompt, setPrompt] = useState<ConsentPrompt | null>(null);
  const [notes, setNotes] = useState<Readonly<Record<string, string>>>({});
  const [status, setStatus] = useState('');

  // Announce what changed since the last phone state main pushed.
  const signature = signatureOf(calls);
  const [seen, setSeen] = useState({ signature, calls });
  if (seen.signature !== signature) {
    setSeen({ signature, calls });
    const changes = describeChanges(seen.calls, calls, t);
    if (changes !== '') setStatus(changes);
  }

  // The prompt closes by itself when its call ends: there is nobody left to ask.
  const promptCall = prompt ? open.find((call) => call.id === prompt.callId) : undefined;
  if (prompt && !promptCall) {
    setPrompt(null);
    const gone = calls.find((call) => call.id === prompt.callId);
    setStatus(
      t('consent.closedCallEnded', {
        caller: gone ? callerOf(gone, t) : t('calls.unknownCaller'),
      }),
    );
  }

  const registerButton = (callId: string, action: CallAction, element: HTMLButtonElement | null) => {
    const key = `${callId}:${action}`;
    if (element) buttons.set(key, element);
    else buttons.delete(key);
  };

  const askConsent = (call: CallView, action: ConsentAction, opener: HTMLElement, answerAfter?: string) => {
    setNotes(({ [call.id]: _old, ...others }) => others);
    setPrompt({
      serial: nextPromptSerial(),
      callId: call.id,
      action,
      opener,
      ...(answerAfter === undefined ? {} : { answerAfter }),
    });
  };

  const closePrompt = (closing: ConsentPrompt, caller: string, outcome: ConsentOutcome) => {
    setPrompt((current) => (current?.serial === closing.serial ? null : current));
    if (outcome === 'agreed' && closing.answerAfter !== undefined) {
      // The live caller agreed and is on hold: now the waiting call is answered.
      const waitingId = closing.answerAfter;
      void api.answer(waitingId).then(
        (result) => {
          if (!result.ok) setStatus(t('calls.answerAfterHoldFailed'));
        },
        () => setStatus(t('calls.answerAfterHoldFailed')),
      );
    }
    if (outcome === 'declined') {
      const note = t('calls.declinedNote');
      setNotes((previous) => ({ ...previous, [closing.callId]: note }));
      setStatus(`${caller}: ${note}`);
    }
  };

  /** The opener; when it is gone, another button of the call; else the list heading. */
  const focusAfterPrompt = (closing: ConsentPrompt): HTMLElement | null => {
    if (closing.opener?.isConnected) return closing.opener;
    const preferred = ['resume', 'hold', 'complete-transfer', 'hang-up'] as const;
    for (const action of preferred) {
      const button = buttons.get(`${closing.callId}:${action}`);
      if (button?.isConnected) return button;
    }
    return headingRef.current;
  };

  const targets = shortcutTargets(open);
  // A also reaches the longest-waiting call while a caller is live: it asks to hold them first.
  if (targets.answer === undefined && holdFirst !== undefined && waiting[0] !== undefined)
    targets.answer = waiting[0].id;
  const shortcutsOf = (callId: string) =>
    (Object.keys(targets) as CallShortcut[]).filter((shortcut) => targets[shortcut] === callId);
  useCallShortcuts((shortcut: CallShortcut) => {
    const callId = targets[shortcut];
    const button = callId ? buttons.get(`${callId}:${shortcut}`) : undefined;
    if (!button || button.disabled) return;
    // Focus first, so the consent dialog gives focus back to this button.
    button.focus();
    button.click();
  });
  // The headset's buttons press the same buttons (docs/desk.md#headset).
  useCallActionRequests((request) => {
    const button = buttons.get(`${request.callId}:${request.action}`);
    if (!button || button.disabled) return;
    if (request.action === 'hold') button.focus();
    button.click();
  });

  return (
    <section className="calls" aria-labelledby={headingId}>
      <h2 id={headingId} ref={headingRef} tabIndex={-1} className="section-heading">
        {t('calls.heading')}
      </h2>
      {open.length === 0 && <p className="muted">{t('calls.none')}</p>}
      {live.length > 0 && (
        <div className="live-calls" data-testid="live-calls">
          {live.map((call) => {
            const consultId = call.transfer?.consultCallId;
            const transferee =
              call.consultFor === null ? undefined : calls.find((other) => other.id === call.consultFor);
            return (
              <CallPanel
                key={call.id}
                call={call}
                api={api}
                consult={consultId ? calls.find((other) => other.id === consultId) : undefined}
                consultForCaller={transferee ? callerOf(transferee, t) : undefined}
                shortcuts={shortcutsOf(call.id)}
                note={notes[call.id]}
                lengthHintMinutes={callLengthHint?.callId === call.id ? callLengthHint.minutes : undefined}
                greeting={shownPrompt?.callId === call.id ? greeting : undefined}
                onAskConsent={(action, opener) => askConsent(call, action, opener)}
                registerButton={(action, element) => registerButton(call.id, action, element)}
              />
            );
          })}
        </div>
      )}
      {waiting.length > 0 && (
        <div className="waiting-calls" data-testid="waiting-calls">
          {live.length > 0 && (
            <h3 className="waiting-heading">
              {t('calls.waitingHeading', {
                count: waiting.length,
                number: new Intl.NumberFormat(language).format(waiting.length),
              })}
            </h3>
          )}
          <ul className="waiting-list">
            {waiting.map((call) => (
              <WaitingCall
                key={call.id}
                call={call}
                api={api}
                holdFirst={holdFirst}
                shortcuts={shortcutsOf(call.id)}
                onAnswerWithHold={(opener) => {
                  if (holdFirst) askConsent(holdFirst, 'hold', opener, call.id);
                }}
                registerButton={(action, element) => registerButton(call.id, action, element)}
              />
            ))}
          </ul>
        </div>
      )}
      <DialForm api={api} />
      {prompt && promptCall && (
        <ConsentDialog
          key={prompt.serial}
          call={promptCall}
          caller={callerOf(promptCall, t)}
          action={prompt.action}
          policy={policy}
          api={api}
          onClose={(outcome) => closePrompt(prompt, callerOf(promptCall, t), outcome)}
          restoreFocus={() => focusAfterPrompt(prompt)}
        />
      )}
      {createPortal(
        // Outside the app's tree, so they still speak while a dialog makes the
        // rest of the page inert (a new call can ring while the agent asks).
        <div data-live-region="">
          <p className="visually-hidden" aria-live="assertive" data-testid="call-announcement">
            {announced
              ? t('calls.incomingAnnouncement', {
                  caller: callerDisplay(announced).primary || t(noCallerKey(announced)),
                })
              : ''}
          </p>
          <p className="visually-hidden" role="status" data-testid="call-status">
            {status}
          </p>
        </div>,
        document.body,
      )}
    </section>
  );
}
