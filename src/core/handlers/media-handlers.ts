/**
 * The renderer's audio engine talking back: it is listening, it answers a media
 * request, it reports a problem on a call's audio.
 */
import type { CommandHandler, CommandHandlers } from '../command-router';
import type { RendererMediaChannel } from '../media/renderer-media-channel';
import type { Phone } from '../phone/phone';

/** The channels these handlers answer. */
export type MediaCommand = 'media:attach' | 'media:response' | 'media:report';

/** What the media handlers need. */
export interface MediaHandlerDeps {
  /** The hop to the renderer's audio engine. */
  media: Pick<RendererMediaChannel, 'attach' | 'respond'>;
  /** The running phone, if any: a report while none runs is dropped. */
  currentPhone(): Pick<Phone, 'reportMedia'> | undefined;
}

/** Builds the handlers of the media commands. */
export function createMediaHandlers({ media, currentPhone }: MediaHandlerDeps): Pick<CommandHandlers, MediaCommand> {
  const handleAttach: CommandHandler<'media:attach'> = () => media.attach();
  const handleResponse: CommandHandler<'media:response'> = ({ requestId, response }) =>
    media.respond(requestId, response);
  const handleReport: CommandHandler<'media:report'> = (event) => currentPhone()?.reportMedia(event);
  return { 'media:attach': handleAttach, 'media:response': handleResponse, 'media:report': handleReport };
}
