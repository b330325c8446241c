/**
 * `docs` target: the Markdown reference in packages/docs/reference, rendered with Handlebars
 * from the model. One view function per kind of item (views.ts), one template per page kind.
 */
import type { EmitContext, Emitter, OutputFile } from '../emitter.js';
import { collectFiles, walkItems } from '../emitter.js';
import type { Model } from '../../model/model.js';
import { htmlCommentBanner } from '../banner.js';
import { createRenderer } from './render.js';
import { enumView, errataView, functionView, indexView, limitsView, sessionAreas, sessionView, structView, typedefView } from './views.js';
import { PAGES } from './links.js';

export const docsEmitter: Emitter = {
  target: 'docs',
  description: 'Markdown reference',
  // A page per item: about half of all the generator's work, so it starts on the worker thread.
  ownThread: true,
  ownedDirs: (model) => [model.product.outputs.docs],
  emit: (model, ctx) => collectFiles(emitPages, model, ctx),
  emitEach: emitPages,
};

/** Every page, handed over as soon as it is rendered. */
function emitPages(model: Model, ctx: EmitContext, out: (file: OutputFile) => void): void {
  const render = createRenderer();
  const banner = htmlCommentBanner(ctx);
  const page = (path: string, body: string) => out({ path: `${model.product.outputs.docs}/${path}`, contents: `${banner}\n${body}` });

  walkItems<void>(model, {
    typedef: (t) => {
      const v = typedefView(t, model);
      page(v.page, render('typedef', v));
    },
    enum: (e) => {
      const v = enumView(e, model);
      page(v.page, render('enum', v));
    },
    struct: (s) => {
      const v = structView(s, model);
      page(v.page, render('struct', v));
    },
    function: (f) => {
      const v = functionView(f, model);
      page(v.page, render('function', v));
    },
  });
  page(PAGES.index, render('index', indexView(model)));
  page(PAGES.session, render('session', sessionView(model)));
  for (const a of sessionAreas(model)) {
    const v = sessionView(model, a.name);
    page(v.page, render('session', v));
  }
  page(PAGES.limits, render('limits', limitsView(model)));
  page(PAGES.errata, render('errata', errataView(model)));
}
