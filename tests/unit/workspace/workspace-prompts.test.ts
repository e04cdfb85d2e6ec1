import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger';
import { fillAgentName, Workspace } from '../../../src/core/workspace/workspace';
import { DEFAULT_WORKSPACE_POLICY } from '../../../src/shared/workspace/workspace-policy';
import { createFakeClock } from '../../support/fake-clock';
import { FakePhone } from './fake-phone';

describe("the greeting and thank-you texts with the agent's name (P2, P5)", () => {
  it('fills {name} in every language and leaves texts without it alone', () => {
    expect(fillAgentName({ en: 'Hello, this is {name}.', de: 'Guten Tag, hier ist {name}.' }, 'Anna')).toEqual({
      en: 'Hello, this is Anna.',
      de: 'Guten Tag, hier ist Anna.',
    });
    expect(fillAgentName({ en: 'Hello!' }, 'Anna')).toEqual({ en: 'Hello!' });
  });

  it("puts the agent's name into the prompt of the workspace view", () => {
    const clock = createFakeClock();
    const workspace = new Workspace({
      clock,
      logger: silentLogger,
      policy: {
        ...DEFAULT_WORKSPACE_POLICY,
        greeting: { en: 'Thank you for calling, my name is {name}.', fa: 'سلام، {name} هستم.' },
      },
      agentName: () => 'Anna',
    });
    const phone = new FakePhone(clock, workspace);
    phone.ring('c1');
    phone.answer('c1');
    expect(workspace.view().prompt).toEqual({
      kind: 'greeting',
      callId: 'c1',
      text: { en: 'Thank you for calling, my name is Anna.', fa: 'سلام، Anna هستم.' },
    });
  });
});
