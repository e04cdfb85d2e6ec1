// @vitest-environment jsdom
/** The caller card (P6, D3, D5 in docs/practice.md): who is calling and what the agent should know first. */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallerRecord } from '../../../src/shared/caller-record';
import type { CallRecord } from '../../../src/shared/call-record';
import { callView } from './fake-calmline-api';
import { settle, showCalls } from './show-calls';

afterEach(() => {
  cleanup();
  delete window.calmline;
});

const NUMBER = '+49 30 1234567';
const flaggedRecord: CallerRecord = {
  number: NUMBER,
  preferredAddress: { text: 'Frau Dr. Mustermann', author: 'Agent 1002', updatedAt: 0 },
  flags: [
    {
      id: 'f1',
      kind: 'insults',
      reason: 'Called the agent an idiot',
      author: 'Agent 1002',
      createdAt: Date.UTC(2025, 0, 3, 10),
    },
    {
      id: 'f2',
      kind: 'legal-threat',
      reason: 'Said: "See you in court"',
      author: 'Agent 1003',
      createdAt: Date.UTC(2025, 0, 4, 11),
    },
    {
      id: 'f3',
      kind: 'other',
      reason: 'Old, cleared',
      author: 'Agent 1003',
      createdAt: 0,
      clearedAt: 1,
      clearedBy: 'Agent 1003',
    },
  ],
  followUps: [
    {
      id: 'u1',
      callId: 'old-1',
      kind: 'status-update',
      due: Date.UTC(2025, 0, 9, 16),
      text: 'Call back about the refund',
      done: false,
      author: 'Agent 1002',
      createdAt: 0,
    },
    {
      id: 'u2',
      callId: 'old-0',
      kind: 'due-date',
      due: 0,
      text: 'Done long ago',
      done: true,
      author: 'Agent 1002',
      createdAt: 0,
    },
  ],
  incidents: [],
};
const earlierCall: CallRecord = {
  callId: 'old-1',
  number: NUMBER,
  name: 'Erika Mustermann',
  direction: 'inbound',
  startedAt: Date.UTC(2025, 0, 3, 9, 58),
  endedAt: Date.UTC(2025, 0, 3, 10, 5),
  agent: 'Agent 1002',
  note: { text: 'Invoice 4711 charged twice', updatedAt: 0, author: 'Agent 1002' },
};

describe('CallerCard', () => {
  it('takes the record main pushed as the call started ringing, without asking; a reload asks', async () => {
    const { createFakeCalmlineApi, phoneState } = await import('./fake-calmline-api');
    const { renderWithI18n } = await import('./render-app');
    const { registered } = await import('./show-calls');
    // The fake's directory holds the same record, so the flag can be cleared.
    const api = createFakeCalmlineApi({ state: phoneState(registered, []), callers: { [NUMBER]: flaggedRecord } });
    const asked: string[] = [];
    const lookup = api.lookupCaller;
    api.lookupCaller = (number) => {
      asked.push(number);
      return lookup(number);
    };
    window.calmline = api;
    renderWithI18n();
    await screen.findByTestId('registration-status');
    // Main pushes the record right after the call rings, as AppCore's prefetch does.
    api.pushCallerPrefetched({ callId: 'c1', number: NUMBER, record: flaggedRecord });
    act(() => api.push(phoneState(registered, [callView({ id: 'c1' })])));
    const threat = await within(screen.getByTestId('caller-card')).findByRole('alert');
    expect(threat.textContent).toContain('Legal threat');
    expect(asked).toEqual([]);

    // The same number calls again and the card mounts before main's push for the new
    // call: the first call's record (no flags yet then) must not stand in for it.
    api.pushCallerPrefetched({ callId: 'c0', number: NUMBER, record: null });
    act(() => api.push(phoneState(registered, [callView({ id: 'c2', state: 'ringing' })])));
    expect(within(screen.getByTestId('caller-card')).queryByRole('alert')).toBeNull();
    api.pushCallerPrefetched({ callId: 'c2', number: NUMBER, record: flaggedRecord });
    expect((await within(screen.getByTestId('caller-card')).findByRole('alert')).textContent).toContain('Legal threat');

    // Clearing a flag reloads: that must ask main, not reuse the pushed record.
    await waitFor(() => expect(asked).toEqual([NUMBER])); // the c2 card asked while the push was on its way
    fireEvent.click(within(screen.getByTestId('caller-card')).getAllByRole('button', { name: /^Clear the flag/ })[0]!);
    await waitFor(() => expect(asked).toEqual([NUMBER, NUMBER]));
  });

  it('shows the name and number of a ringing caller at once, then "First call" when nothing is known', async () => {
    await showCalls([callView({ id: 'c1' })]);
    const card = screen.getByTestId('caller-card');
    expect(within(card).getByTestId('caller-card-name').textContent).toBe('Erika Mustermann');
    expect(within(card).getByText(NUMBER)).toBeTruthy();
    expect((await within(card).findByTestId('first-call')).textContent).toContain('First call');
    expect(within(card).queryByRole('alert')).toBeNull();
  });

  it('shows flags prominently (threats as an alert), the form of address, open follow-ups and the last calls with their notes', async () => {
    await showCalls([callView({ id: 'c1' })], {
      callers: { [NUMBER]: flaggedRecord },
      history: { [NUMBER]: [earlierCall] },
    });
    const card = screen.getByTestId('caller-card');
    const threat = await within(card).findByRole('alert');
    expect(threat.textContent).toContain('Threat reported');
    expect(threat.textContent).toContain('Legal threat');
    expect(threat.textContent).toContain('Said: "See you in court"');
    expect(threat.textContent).toContain('Flagged by Agent 1003');
    const flags = within(card).getByTestId('caller-flags');
    expect(flags.textContent).toContain('Insults');
    expect(flags.textContent).toContain('Called the agent an idiot');
    // A cleared flag is history, not a warning.
    expect(card.textContent).not.toContain('Old, cleared');
    expect(within(card).getByTestId('preferred-address').textContent).toBe('Address as: Frau Dr. Mustermann');
    const followUps = within(card).getAllByTestId('follow-up');
    expect(followUps).toHaveLength(1);
    expect(followUps[0]!.textContent).toContain('Status update promised by');
    expect(followUps[0]!.textContent).toContain('Call back about the refund');
    expect(within(card).getByTestId('last-call').textContent).toContain('Invoice 4711 charged twice');
    expect(within(card).queryByTestId('first-call')).toBeNull();
  });

  it('puts a flag badge on a waiting caller whose record main pushed, beside the live call', async () => {
    const { createFakeCalmlineApi, phoneState } = await import('./fake-calmline-api');
    const { renderWithI18n } = await import('./render-app');
    const { registered } = await import('./show-calls');
    const api = createFakeCalmlineApi({ state: phoneState(registered, []) });
    window.calmline = api;
    renderWithI18n();
    await screen.findByTestId('registration-status');
    api.pushCallerPrefetched({ callId: 'w1', number: NUMBER, record: flaggedRecord });
    const live = callView({ id: 'live', state: 'active', answeredAt: 1, remoteNumber: '+4930999999' });
    act(() => api.push(phoneState(registered, [live, callView({ id: 'w1' })])));
    const open = flaggedRecord.flags.filter((flag) => flag.clearedAt === undefined).length;
    const badge = await within(screen.getByTestId('call-w1')).findByTestId('waiting-flags');
    expect(badge.textContent).toBe(`${open} flags`);
  });

  it('shows missed and declined calls as one short line, and keeps the answered call with its note', async () => {
    const missed: CallRecord = {
      ...earlierCall,
      callId: 'old-2',
      startedAt: Date.UTC(2025, 0, 4, 9, 0),
      outcome: 'missed',
      note: undefined,
    };
    const declined: CallRecord = {
      ...missed,
      callId: 'old-3',
      startedAt: Date.UTC(2025, 0, 5, 9, 0),
      outcome: 'declined',
    };
    await showCalls([callView({ id: 'c1' })], {
      history: { [NUMBER]: [declined, missed, { ...earlierCall, outcome: 'answered' }] },
    });
    const card = screen.getByTestId('caller-card');
    await within(card).findAllByTestId('last-call');
    const lines = within(card).getAllByTestId('last-call');
    expect(lines.map((line) => line.dataset.outcome)).toEqual(['declined', 'missed', 'answered']);
    expect(lines[0]!.textContent).toContain('Declined');
    expect(lines[1]!.textContent).toContain('Missed');
    expect(lines[0]!.textContent).not.toContain('No notes');
    expect(lines[0]!.querySelector('.last-call-note')).toBeNull();
    expect(lines[2]!.querySelector('.last-call-note')?.textContent).toBe('Invoice 4711 charged twice');
  });

  it('flags the caller with a kind and a reason, recorded with the call id, and shows the new flag', async () => {
    const api = await showCalls([callView({ id: 'c1', state: 'active', answeredAt: 1 })]);
    await settle();
    const open = screen.getByRole('button', { name: 'Flag Erika Mustermann so the next agent is prepared' });
    expect(open.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(open);
    expect(open.getAttribute('aria-expanded')).toBe('true');
    // No reason: nothing is sent, the field says why.
    fireEvent.click(screen.getByRole('button', { name: 'Add flag' }));
    expect(screen.getByText('Write what happened.')).toBeTruthy();
    expect(api.sentNames()).not.toContain('addCallerFlag');

    fireEvent.change(screen.getByLabelText('Why'), { target: { value: 'insults' } });
    fireEvent.change(screen.getByLabelText('What happened'), { target: { value: 'Insulted the agent twice' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add flag' }));
    await waitFor(() =>
      expect(api.sent).toContainEqual({
        command: 'addCallerFlag',
        args: [{ number: NUMBER, kind: 'insults', reason: 'Insulted the agent twice', callId: 'c1' }],
      }),
    );
    const flags = await screen.findByTestId('caller-flags');
    expect(flags.textContent).toContain('Insults');
    expect(flags.textContent).toContain('Insulted the agent twice');
    expect(document.activeElement).toBe(open);
  });

  it('clears a flag and sets the preferred form of address', async () => {
    const api = await showCalls([callView({ id: 'c1' })], { callers: { [NUMBER]: flaggedRecord } });
    fireEvent.click(await screen.findByRole('button', { name: 'Clear the flag “Insults”' }));
    await waitFor(() => expect(api.sent).toContainEqual({ command: 'clearCallerFlag', args: [NUMBER, 'f1'] }));
    await waitFor(() => expect(screen.queryByTestId('caller-flags')).toBeNull());

    fireEvent.click(screen.getByRole('button', { name: 'Change the form of address' }));
    const field = screen.getByLabelText('How the caller wishes to be addressed');
    fireEvent.change(field, { target: { value: 'Erika' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save form of address' }));
    await waitFor(() => expect(api.sent).toContainEqual({ command: 'setPreferredAddress', args: [NUMBER, 'Erika'] }));
    await waitFor(() => expect(screen.getByTestId('preferred-address').textContent).toBe('Address as: Erika'));
  });

  it('marks an open follow-up done, the button named by what was promised, and the card drops it', async () => {
    const untitled = { ...flaggedRecord.followUps[0]!, id: 'u3', kind: 'due-date' as const, text: '' };
    const record: CallerRecord = { ...flaggedRecord, followUps: [...flaggedRecord.followUps, untitled] };
    const api = await showCalls([callView({ id: 'c1' })], { callers: { [NUMBER]: record } });
    const done = await screen.findByRole('button', { name: 'Mark done: Call back about the refund' });
    expect(done.textContent).toBe('Mark done');
    // Without a text the promise itself names the follow-up.
    expect(screen.getByRole('button', { name: /^Mark done: Promised solved by / })).toBeTruthy();

    const release = api.deferNext('completeFollowUp');
    fireEvent.click(done);
    await waitFor(() => expect(api.sent).toContainEqual({ command: 'completeFollowUp', args: [NUMBER, 'u1'] }));
    // As main's directory does before it answers: the follow-up is done on the record.
    api.callers.set(NUMBER, {
      ...record,
      followUps: record.followUps.map((followUp) =>
        followUp.id === 'u1' ? { ...followUp, done: true, doneAt: 1 } : followUp,
      ),
    });
    release();
    await waitFor(() => expect(screen.getAllByTestId('follow-up')).toHaveLength(1));
    expect(screen.queryByRole('button', { name: 'Mark done: Call back about the refund' })).toBeNull();
    expect(screen.getByText('Follow-up marked done.')).toBeTruthy();
  });

  it("says in the agent's language when a follow-up was not marked done, and keeps it open", async () => {
    const api = await showCalls([callView({ id: 'c1' })], { callers: { [NUMBER]: flaggedRecord }, language: 'de' });
    api.refuseNext('completeFollowUp', 'storage-unavailable');
    fireEvent.click(await screen.findByRole('button', { name: 'Erledigt: Call back about the refund' }));
    await waitFor(() => expect(api.sent).toContainEqual({ command: 'completeFollowUp', args: [NUMBER, 'u1'] }));
    const alert = await screen.findByText(/^Die Zusage wurde nicht als erledigt markiert\./);
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toBe(
      'Die Zusage wurde nicht als erledigt markiert. Anrufverlauf und Notizen sind gerade nicht verfügbar.',
    );
    expect(screen.getAllByTestId('follow-up')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Erledigt: Call back about the refund' })).toBeTruthy();
  });

  it('shows the record as it now is when the follow-up was already gone', async () => {
    const api = await showCalls([callView({ id: 'c1' })], { callers: { [NUMBER]: flaggedRecord } });
    const done = await screen.findByRole('button', { name: 'Mark done: Call back about the refund' });
    // Another agent completed it meanwhile: main no longer has it open.
    api.callers.set(NUMBER, { ...flaggedRecord, followUps: [] });
    api.refuseNext('completeFollowUp', 'not-found');
    fireEvent.click(done);
    await waitFor(() => expect(screen.queryByTestId('follow-ups')).toBeNull());
    expect(
      screen.getByText('The follow-up was not marked done. That record no longer exists.').getAttribute('role'),
    ).toBe('alert');
  });

  it('says when the lookup failed, and still shows who is calling', async () => {
    const { createFakeCalmlineApi, phoneState } = await import('./fake-calmline-api');
    const { renderWithI18n } = await import('./render-app');
    const api = createFakeCalmlineApi({ state: phoneState({ status: 'registered', aor: 'sip:1001@x' }, [callView()]) });
    api.refuseNext('lookupCaller', 'internal');
    window.calmline = api;
    renderWithI18n();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe(
      'Could not look up this caller. Something went wrong inside Calmline. Please try again.',
    );
    expect(screen.getByTestId('caller-card-name').textContent).toBe('Erika Mustermann');
  });
});

describe('the shared caller directory on the card', () => {
  it('says nothing while the directory is online or off', async () => {
    await showCalls([callView({ id: 'c1' })], { callers: { [NUMBER]: flaggedRecord } });
    await settle();
    expect(screen.queryByTestId('directory-unreachable')).toBeNull();
  });

  it('says when the directory is unreachable and how many changes are queued, and clears when it is back', async () => {
    const api = await showCalls([callView({ id: 'c1' })], {
      callers: { [NUMBER]: flaggedRecord },
      handlers: { 'directory:get-status': () => ({ state: 'unreachable', queued: 2 }) },
    });
    const notice = await screen.findByTestId('directory-unreachable');
    expect(notice.getAttribute('role')).toBe('status');
    expect(notice.textContent).toContain('Caller directory unreachable');
    expect(notice.textContent).toContain('2 changes waiting to be sent');
    // The flags known before the outage are still shown.
    expect(screen.getAllByTestId('caller-flag').length).toBeGreaterThan(0);
    act(() => api.emit('directory:status', { state: 'online', queued: 0 }));
    await waitFor(() => expect(screen.queryByTestId('directory-unreachable')).toBeNull());
  });

  it("shows a record pushed again for the open call (another agent's change)", async () => {
    const api = await showCalls([callView({ id: 'c1', state: 'active', answeredAt: 1 })], {
      callers: { [NUMBER]: { number: NUMBER, flags: [], followUps: [], incidents: [] } },
    });
    await settle();
    expect(screen.queryAllByTestId('caller-flag')).toHaveLength(0);
    act(() => api.emit('callers:prefetched', { callId: 'c1', number: NUMBER, record: flaggedRecord }));
    await waitFor(() => expect(screen.getAllByTestId('caller-flag').length).toBeGreaterThan(0));
  });
});
