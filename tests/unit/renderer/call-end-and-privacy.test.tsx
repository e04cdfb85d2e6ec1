// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { callView } from './fake-calmline-api';
import { showCalls } from './show-calls';

afterEach(() => {
  cleanup();
  delete window.calmline;
});

describe('what the agent sees of SIP ends and withheld callers', () => {
  it('names a ringing caller who withheld their number "Withheld number", on the panel and its buttons', async () => {
    await showCalls([callView({ id: 'w1', remoteName: '', remoteNumber: '', withheld: true })]);
    const panel = screen.getByTestId('call-w1');
    expect(within(panel).getByRole('heading', { name: 'Withheld number' })).toBeTruthy();
    expect(within(panel).getByRole('button', { name: 'Answer call from Withheld number' })).toBeTruthy();
  });

  it('says why a call ended when the network ended it', async () => {
    const ended = (id: string, endReason: 'media-failed' | 'connection-lost' | 'session-expired' | 'protocol-error') =>
      callView({ id, state: 'ended', endReason, endedBy: 'system', endedAt: Date.now() });
    await showCalls([
      ended('e1', 'session-expired'),
      ended('e2', 'connection-lost'),
      ended('e3', 'media-failed'),
      ended('e4', 'protocol-error'),
    ]);
    expect(screen.getByTestId('recent-call-e1').textContent).toContain(
      'Ended: the phone system stopped confirming the call',
    );
    expect(screen.getByTestId('recent-call-e2').textContent).toContain(
      'Ended: the connection to the phone system was lost',
    );
    expect(screen.getByTestId('recent-call-e3').textContent).toContain(
      'Ended: the audio could not be agreed with the other side',
    );
    expect(screen.getByTestId('recent-call-e4').textContent).toContain(
      'Ended: the other side sent an answer that could not be read',
    );
  });
});
