// k6/html: parseHTML with selectors, text, attributes and iteration.
import { parseHTML } from 'k6/html';
import { check } from 'k6';

export const options = { iterations: 1 };

const PAGE = '<html><head><title>Shop</title></head><body>' +
  '<ul id="items"><li class="item" data-id="1">Tea</li><li class="item" data-id="2">Coffee</li></ul>' +
  '<a href="/next" class="more">more</a></body></html>';

export default function () {
  const doc = parseHTML(PAGE);
  const names = [];
  doc.find('li.item').each(function (i, el) {
    names.push(el.textContent());
  });
  check(doc, {
    'title': (d) => d.find('title').text() === 'Shop',
    'two items': (d) => d.find('li.item').size() === 2,
    'attribute': (d) => d.find('a.more').attr('href') === '/next',
    'last item': (d) => d.find('li').last().text() === 'Coffee',
    'is a list item': (d) => d.find('#items li').first().is('.item'),
  });
  check(names, { 'each in order': (n) => n.join(',') === 'Tea,Coffee' });
}
