import type { SimplePage } from '../test/support/pdf-writer.js';

/**
 * The demo's sample document: a short, made-up annual report, written for this project, so the
 * demo works on any machine without outside files.
 */
export const SAMPLE_TITLE = 'Riverside Community Garden: Annual Report';

export const SAMPLE_PAGES: SimplePage[] = [
  {
    paragraphs: [
      'Riverside Community Garden: Annual Report for the Growing Season',
      'The Riverside Community Garden had its most productive season since it opened, ' +
        'harvesting 4,200 kilograms of vegetables on 62 shared plots. Volunteers donated ' +
        'about a third of the harvest to the neighbourhood food bank, twice as much as last year.',
      'Membership grew from 85 to 131 households. Most new members heard about the garden ' +
        'through the spring open day, which drew more than 400 visitors. The waiting list for ' +
        'plots now holds 37 households, so the committee is looking for a second site.',
      'The new drip irrigation system, paid for by a city sustainability grant, cut water use by ' +
        'roughly 40 percent compared with hand watering. It also freed volunteers from the daily ' +
        'watering rota during the July heat wave.',
    ],
  },
  {
    paragraphs: [
      'Education and outreach',
      'Twelve workshops covered composting, seed saving and pest control without chemicals. ' +
        'Two local primary schools now run weekly lessons in the garden, and pupils planted a ' +
        'pollinator strip along the river path that attracted several rare bee species.',
      'Finances',
      'Income was 18,400 euros, mostly from plot fees, the grant and the autumn harvest market. ' +
        'Spending was 15,900 euros, chiefly on irrigation, tools and a new shed. The surplus goes ' +
        'to a reserve for replacing the greenhouse roof.',
      'Next year',
      'The committee will ask the city for a lease on the empty lot beside the railway, extend ' +
        'the school programme to a third school, and start a tool library open to all residents.',
    ],
  },
];
