/**
 * `docs` target: the Markdown reference in packages/docs/reference, rendered with Handlebars
 * from the model. One view function per kind of item (views.ts), one template per page kind.
 */
import type { Emitter, OutputFile } from '../emitter.js';
import { walkItems } from '../emitter.js';
import { htmlCommentBanner } from '../banner.js';
import { createRenderer } from './render.js';
import { enumView, errataView, functionView, indexView, limitsView, sessionAreas, sessionView, structView, typedefView } from './views.js';
import { PAGES } from './links.js';

export const docsEmitter: Emitter = {
  target: 'docs',
  description: 'Markdown reference',
  // A page per item: about half of all the generator's work, so it gets a core of its own.
  ownThread: true,
  ownedDirs: (model) => [model.product.outputs.docs],
  emit(model, ctx) {
    const render = createRenderer();
    const banner = htmlCommentBanner(ctx);
    const page = (path: string, body: string): OutputFile => ({ path: `${model.product.outputs.docs}/${path}`, contents: `${banner}\n${body}` });

    const items = walkItems<OutputFile>(model, {
      typedef: (t) => {
        const v = typedefView(t, model);
        return page(v.page, render('typedef', v));
      },
      enum: (e) => {
        const v = enumView(e, model);
        return page(v.page, render('enum', v));
      },
      struct: (s) => {
        const v = structView(s, model);
        return page(v.page, render('struct', v));
      },
      function: (f) => {
        const v = functionView(f, model);
        return page(v.page, render('function', v));
      },
    });

    return [
      page(PAGES.index, render('index', indexView(model))),
      page(PAGES.session, render('session', sessionView(model))),
      ...sessionAreas(model).map((a) => {
        const v = sessionView(model, a.name);
        return page(v.page, render('session', v));
      }),
      page(PAGES.limits, render('limits', limitsView(model))),
      page(PAGES.errata, render('errata', errataView(model))),
      ...items,
    ];
  },
};
