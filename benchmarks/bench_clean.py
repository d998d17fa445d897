"""Cleaner quality on real news prose: prose it loses, boilerplate it keeps, titles it gets right.

The 99 newstest2012 documents, in each of French, German, Spanish, Czech and Russian, are written
as article files (headline line, blank line, one paragraph per <p>, its <seg> sentences joined) in
five variants:

- as_is: the files as described;
- wrapped: every paragraph (and the headline) hard-wrapped at 72 columns (textwrap, which also
  breaks at hyphens);
- injected: web boilerplate of every kind the cleaner knows, in the article's language and in
  English, generated with varied realistic forms (random templates, agencies, names, dates,
  separators, casing) and placed above the headline (rubrics, kickers, breadcrumbs), between the
  headline and the text (bylines, datelines), between paragraphs and after the last one;
- injected_wrapped: the injected files, hard-wrapped at 72 columns;
- held_out: injected the same way, but every rubric, comment form, promotion, related-articles and
  end-of-page label, "read more" link and credit drawn from held-out forms (HELD_OUT_*): real forms
  of the same kinds that the rule files were not written from. The pools of the injected variant
  were written with the rules, and every label in them is a word-list entry: this variant tells
  whether the rules know a kind or only its strings;
- lists: before half of the paragraphs, a label (related articles, rubric, kicker) over one to three
  other documents' headlines as they are, whatever their final punctuation, or a rubric label alone. It measures the rules
  that take headlines under labels on both sides: the headlines they keep, and the prose paragraph
  after each block that they must not take (about 550 blocks per language). End-of-page labels are
  left out: they take everything after them unless a long paragraph follows, by design.

The files go through the real ingest (ingest_cluster) and clean_article(..., language=...). For
each language and variant it reports:

- prose paragraphs lost: a <p> whose text is found nowhere in the cleaned paragraphs, title or
  metadata (and which); paragraphs kept but merged with another line are counted as "merged";
- subheads dropped, counted apart: a subhead is a <p> of one <seg>, at most 12 words, with no
  sentence-final punctuation (. ! ? … with or without closing quotes) and no final colon;
- paragraphs moved to metadata (bylines such as "Von Julia Stanek" -> metadata.author);
- repeats in the source dropped, counted apart: a <p> all of whose sentences are sentences of
  earlier paragraphs of the same document (two documents repeat their lead that way);
- injected boilerplate lines kept (and which, by kind): an injected line found in a cleaned
  paragraph or the title; a rubric, kicker or byline moved to metadata is not kept;
- titles right: the cleaned title is the <h1> headline.

It also runs jusText alone (its own classifier, the language's stop-list, each line a <p>) on the
injected French variant as a baseline, and lists what the cleaner removes from the seed cluster.

Prints the figures with the machine's load and writes benchmarks/results/clean.json. Needs
../shared/data/newstest2012; without it, it says so and measures nothing.

    flock /work/bench.lock .venv/bin/python benchmarks/bench_clean.py [LANGUAGE ...] [--no-write]

(Given languages or --no-write, it writes /tmp/clean-dev.json instead.)
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from summarize.clean import clean_article, rules_fingerprint  # noqa: E402
from summarize.ingest import ingest_cluster, normalise  # noqa: E402
from summarize.text import SENTENCE_END, fingerprint  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "newstest2012"
RESULTS = REPO / "benchmarks" / "results" / "clean.json"
LANGUAGES = ("fr", "de", "es", "cs", "ru")
VARIANTS = ("as_is", "wrapped", "injected", "injected_wrapped", "held_out", "lists")
WIDTH = 72
SUBHEAD_MAX_WORDS = 12
EXAMPLES = 12
STOPLISTS = {"fr": "French", "de": "German", "es": "Spanish", "cs": "Czech", "ru": "Russian"}


@dataclass
class Document:
    docid: str
    headline: str
    paragraphs: list[list[str]]  # segments per <p>

    @property
    def texts(self) -> list[str]:
        return [" ".join(segments) for segments in self.paragraphs]


@dataclass
class Injected:
    kind: str
    text: str


@dataclass
class Article:
    """One article file: its text and what was injected into it."""

    document: Document
    text: str
    injected: list[Injected] = field(default_factory=list)
    glyph_paragraphs: dict[int, str] = field(default_factory=dict)  # paragraph index -> glyph put before it


def read_documents(language: str) -> list[Document]:
    raw = (DATA / f"newstest2012-src.{language}.sgm").read_text("utf-8")
    documents = []
    for docid, body in re.findall(r'<doc docid="([^"]+)"[^>]*>(.*?)</doc>', raw, re.S):
        def segments(block: str) -> list[str]:
            return [" ".join(html.unescape(s).split()) for s in re.findall(r"<seg[^>]*>(.*?)</seg>", block, re.S)]

        headline = " ".join(segments(re.search(r"<h1>(.*?)</h1>", body, re.S).group(1)))
        paragraphs = [segments(p) for p in re.findall(r"<p>(.*?)</p>", body, re.S)]
        documents.append(Document(docid, headline, [p for p in paragraphs if p]))
    return documents


def is_subhead(segments: list[str]) -> bool:
    text = " ".join(segments)
    return len(segments) == 1 and len(text.split()) <= SUBHEAD_MAX_WORDS and not SENTENCE_END.search(text) and not text.rstrip().endswith(":")


# --- boilerplate generators ------------------------------------------------------------------------
# Real-looking forms of each kind, per language. The templates are filled with random agencies,
# names, sites, numbers and other documents' headlines, and varied in casing and separators.

AGENCIES = {
    "fr": ["AFP", "Reuters", "AP", "Maxppp", "Sipa", "Getty Images", "EPA"],
    "de": ["dpa", "Reuters", "AFP", "AP", "Imago", "picture alliance", "Getty Images"],
    "es": ["EFE", "Reuters", "AFP", "Europa Press", "AP", "Getty Images"],
    "cs": ["ČTK", "Reuters", "AFP", "Profimedia", "AP"],
    "ru": ["ТАСС", "РИА Новости", "Reuters", "AFP", "Интерфакс"],
}
NAMES = {
    "fr": ["Jean Dupont", "Marie Lefèvre", "Karim Benali", "Sophie Martin", "Luc Girard", "Camille Roux"],
    "de": ["Hans Müller", "Anna Schmidt", "Jörg Weber", "Katrin Vogel", "Stefan Braun"],
    "es": ["María López", "Javier Ruiz", "Lucía Fernández", "Pablo Ortega", "Carmen Vidal"],
    "cs": ["Jan Novák", "Petra Svobodová", "Tomáš Dvořák", "Eva Černá", "Martin Kučera"],
    "ru": ["Иван Петров", "Анна Смирнова", "Дмитрий Козлов", "Елена Волкова", "Сергей Орлов"],
}
ROLES = {
    "fr": ["directeur général", "présidente du conseil régional", "maire de Lyon", "ministre de l'Économie", "porte-parole du gouvernement"],
    "de": ["Vorstandschef", "Bürgermeisterin von Köln", "Wirtschaftsminister", "Sprecher der Regierung"],
    "es": ["director general", "alcaldesa de Sevilla", "ministro de Economía", "portavoz del Gobierno"],
    "cs": ["generální ředitel", "starostka Brna", "ministr financí", "mluvčí vlády"],
    "ru": ["генеральный директор", "мэр Казани", "министр финансов", "пресс-секретарь правительства"],
}
SITES = {"fr": ["lepoint", "ouest-info", "lyonmag"], "de": ["tagesblatt", "rheinpost"], "es": ["diariosur", "elnoticiero"],
         "cs": ["denikpraha", "zpravy24"], "ru": ["novosti24", "gazeta-ru"]}
TLD = {"fr": "fr", "de": "de", "es": "es", "cs": "cz", "ru": "ru"}
PLACES = {
    "fr": [("LYON", "RHÔNE"), ("RENNES", "ILLE-ET-VILAINE"), ("MARSEILLE", None), ("BORDEAUX", "GIRONDE"), ("Paris", None)],
    "de": [("BERLIN", None), ("MÜNCHEN", None), ("KÖLN", None), ("Hamburg", None)],
    "es": [("MADRID", None), ("SEVILLA", None), ("BARCELONA", None), ("Valencia", None)],
    "cs": [("PRAHA", None), ("BRNO", None), ("OSTRAVA", None)],
    "ru": [("МОСКВА", None), ("КАЗАНЬ", None), ("САНКТ-ПЕТЕРБУРГ", None)],
}
DAYS = {
    "fr": ["hier", "aujourd'hui", "lundi", "samedi", "le 12 mars 2024", "le 3 juillet", "8 novembre 2023"],
    "de": ["gestern", "heute", "Montag", "12. März 2024", "3. Juli"],
    "es": ["ayer", "hoy", "el lunes", "12 de marzo de 2024", "3 de julio"],
    "cs": ["včera", "dnes", "12. března 2024", "3. července"],
    "ru": ["вчера", "сегодня", "12 марта 2024 года", "3 июля"],
}
RUBRICS = {
    "fr": ["Économie", "Banque", "Asie du Sud-Est", "International", "Société", "Faits divers", "Culture", "Planète", "Politique", "Sports"],
    "de": ["Wirtschaft", "Politik", "Panorama", "Ausland", "Kultur", "Sport", "Südostasien", "Finanzen"],
    "es": ["Economía", "Internacional", "Sociedad", "Cultura", "Deportes", "Sudeste Asiático", "Banca"],
    "cs": ["Ekonomika", "Zahraničí", "Domácí", "Kultura", "Sport", "Jihovýchodní Asie"],
    "ru": ["Экономика", "Политика", "Общество", "Культура", "Спорт", "Юго-Восточная Азия"],
}
KICKERS = {
    "fr": ["CYCLISME", "PEOPLE", "FOOTBALL", "EXCLUSIF", "VIDÉO", "INFO", "Tennis", "Justice"],
    "de": ["FUSSBALL", "EXKLUSIV", "VIDEO", "Tennis", "Justiz"],
    "es": ["CICLISMO", "EXCLUSIVA", "VÍDEO", "Fútbol", "Tribunales"],
    "cs": ["FOTBAL", "EXKLUZIVNĚ", "VIDEO", "Tenis"],
    "ru": ["ФУТБОЛ", "ЭКСКЛЮЗИВ", "ВИДЕО", "Теннис"],
}
HOME = {"fr": "Accueil", "de": "Startseite", "es": "Portada", "cs": "Úvod", "ru": "Главная"}
BYLINE = {"fr": "Par", "de": "Von", "es": "Por", "cs": "Autor:", "ru": "Автор:"}
COMMENTS = {
    "fr": ["Laisser un commentaire", "Laissez un commentaire", "Ajouter un commentaire",
           "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
           "Votre adresse de messagerie ne sera pas publiée.", "Commentaire *", "Nom *", "E-mail *", "Site web",
           "Enregistrer mon nom, mon e-mail et mon site dans le navigateur pour mon prochain commentaire.",
           "{n} commentaires", "Commentaires ({n})", "Réagir à cet article", "Connectez-vous pour réagir",
           "Les commentaires sont fermés.", "Signaler un abus", "Répondre"],
    "de": ["Kommentar schreiben", "Kommentare ({n})", "{n} Kommentare",
           "Ihre E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert", "Name *",
           "E-Mail *", "Website", "Diskutieren Sie mit!", "Die Kommentarfunktion ist geschlossen.", "Antworten", "Melden"],
    "es": ["Deja un comentario", "Dejar un comentario",
           "Tu dirección de correo electrónico no será publicada. Los campos obligatorios están marcados con *",
           "Comentario *", "Nombre *", "Correo electrónico *",
           "Guarda mi nombre, correo electrónico y web en este navegador para la próxima vez que comente.",
           "{n} comentarios", "Comentarios ({n})", "Inicia sesión para comentar", "Responder", "Denunciar"],
    "cs": ["Diskuse ({n})", "{n} komentářů", "Přidat komentář", "Vstoupit do diskuse",
           "Váš e-mail nebude zveřejněn. Povinné údaje jsou označeny *", "Jméno *", "E-mail *", "Odpovědět", "Nahlásit"],
    "ru": ["Комментарии ({n})", "{n} комментариев", "Оставить комментарий",
           "Ваш адрес email не будет опубликован. Обязательные поля помечены *", "Имя *", "Email *", "Ответить",
           "Пожаловаться", "Чтобы оставить комментарий, войдите на сайт"],
    "en": ["Comment (0)", "Leave a Reply", "Comments ({n})", "{n} comments"],
}
PROMOS = {
    "fr": ["Abonnez-vous à notre newsletter", "Inscrivez-vous à la newsletter quotidienne pour recevoir l'essentiel de l'actualité",
           "Téléchargez notre application gratuite", "Suivez-nous sur Facebook et Twitter", "Publicité",
           "CLIQUEZ ICI POUR TÉLÉCHARGER L'APPLICATION {SITE}", "Cet article est réservé aux abonnés.",
           "Il vous reste {n}% de cet article à lire.", "Déjà abonné ? Connectez-vous", "Partager sur Facebook",
           "Partager cet article", "Ne manquez rien de l'actualité : recevez nos alertes", "PUBLICITÉ"],
    "de": ["Jetzt abonnieren!", "Newsletter abonnieren", "Folgen Sie uns auf Facebook und Twitter", "Anzeige", "Werbung",
           "Laden Sie unsere kostenlose App herunter", "Dieser Artikel ist nur für Abonnenten verfügbar.", "Artikel teilen",
           "Jetzt weiterlesen mit {SITE} Plus", "ANZEIGE"],
    "es": ["Suscríbete a nuestro boletín", "Síguenos en Twitter y Facebook", "Publicidad", "Descarga nuestra app gratuita",
           "Compartir en Facebook", "Recibe nuestra newsletter cada mañana", "Este contenido es exclusivo para suscriptores",
           "Regístrate gratis para seguir leyendo", "PUBLICIDAD"],
    "cs": ["Předplaťte si {SITE} za zvýhodněnou cenu", "Sledujte nás na Facebooku", "Reklama", "Stáhněte si naši aplikaci",
           "Sdílet na Facebooku", "Přihlaste se k odběru newsletteru", "Tento článek je dostupný pouze pro předplatitele."],
    "ru": ["Подписывайтесь на наш канал в Telegram", "Подпишитесь на рассылку", "Реклама", "Скачайте наше приложение",
           "Поделиться", "Следите за новостями в наших соцсетях"],
    "en": ["Advertisement", "Share this article", "Subscribe to our newsletter"],
}
SHARE_WORD = {"fr": "Partager", "de": "Teilen", "es": "Compartir", "cs": "Sdílet", "ru": "Поделиться", "en": "Share"}
NETWORKS = ["Facebook", "Twitter", "X", "LinkedIn", "WhatsApp", "E-mail", "Telegram", "Pinterest"]
RELATED = {
    "fr": ["Lire aussi", "À lire aussi", "LIRE AUSSI", "À lire également", "Voir aussi", "Sur le même sujet"],
    "de": ["Lesen Sie auch", "Mehr zum Thema", "Auch interessant", "Lesen Sie dazu", "LESEN SIE AUCH"],
    "es": ["Lea también", "Te puede interesar", "Lee también", "LEA TAMBIÉN", "Ver también"],
    "cs": ["Čtěte také", "Přečtěte si také", "Mohlo by vás zajímat", "ČTĚTE TAKÉ"],
    "ru": ["Читайте также", "По теме", "Смотрите также", "ЧИТАЙТЕ ТАКЖЕ"],
    "en": ["Related", "See also", "Read also"],
}
TRAILING = {
    "fr": ["Articles similaires", "Vous aimerez aussi", "Les plus lus", "Dans la même rubrique"],
    "de": ["Das könnte Sie auch interessieren", "Meistgelesen", "Weitere Artikel"],
    "es": ["Lo más leído", "Noticias relacionadas", "Te recomendamos"],
    "cs": ["Nejčtenější", "Související články", "Další zprávy"],
    "ru": ["Самое читаемое", "Другие новости", "Похожие новости"],
    "en": ["Similar News", "You may also like", "Most read"],
}
READ_MORE = {"fr": ["Lire la suite »", "Lire la suite", "(Lire la suite)", "Voir la suite »"], "de": ["Weiterlesen", "Mehr »", "Weiterlesen »"],
             "es": ["Leer más", "Seguir leyendo »", "Leer más »"], "cs": ["Číst dále", "Celý článek »"], "ru": ["Читать далее", "Подробнее »"],
             "en": ["Read more", "Read more »"]}
CREDITS = {
    "fr": ["Photo {agency}.", "Photo : {agency}", "Crédit photo : {name} / {agency}", "© {agency} {year}", "(Photo : {agency})",
           "{AGENCY} PHOTO / {NAME}", "Illustration {agency}", "Photo d'illustration.", "Crédits : {name}"],
    "de": ["Foto: {agency}", "Bild: {name}/{agency}", "© {agency}", "Foto: {agency}/{name}", "Quelle: {agency}", "(Foto: {agency})"],
    "es": ["Foto: {agency}", "Fotografía: {name} / {agency}", "(Foto: {agency})", "{AGENCY}/{name}", "Imagen: {agency}"],
    "cs": ["Foto: {agency}", "Foto: {name}, {site}", "Ilustrační foto", "Zdroj: {agency}", "Foto: {name} / {agency}"],
    "ru": ["Фото: {agency}", "Фото: {name}/{agency}", "Иллюстрация: {agency}", "Источник: {agency}", "Фото: © {agency}"],
}
SCENES = {
    "fr": ["lors d'une conférence de presse à Paris", "devant la préfecture", "pendant le sommet de Bruxelles", "lors de sa visite à Marseille"],
    "de": ["bei einer Pressekonferenz in Berlin", "während des Gipfels in Brüssel", "bei der Eröffnung der Messe"],
    "es": ["durante una rueda de prensa en Madrid", "durante la cumbre de Bruselas", "durante su visita a Sevilla"],
    "cs": ["na tiskové konferenci v Praze", "během summitu v Bruselu", "při návštěvě Brna"],
    "ru": ["на пресс-конференции в Москве", "во время саммита в Брюсселе", "на встрече с журналистами"],
}
CAPTION_TIMES = {"fr": ["le 12 mars 2024", "samedi", "en juillet 2023"], "de": ["am 12. März 2024", "am Samstag"],
                 "es": ["el 12 de marzo de 2024", "el sábado"], "cs": ["12. března 2024", "v sobotu"],
                 "ru": ["12 марта 2024 года", "в субботу"]}
POSITION = {"fr": "(à gauche)", "de": "(links)", "es": "(a la izquierda)", "cs": "(vlevo)", "ru": "(слева)"}
BIOS = {
    "fr": ["Fan de café. Lecteur. Joueur invétéré. Pionnier d'Internet.", "Passionné de musique. Voyageur. Expert en réseaux sociaux. Créatif."],
    "de": ["Kaffeeliebhaber. Leser. Leidenschaftlicher Spieler. Internet-Pionier."],
    "es": ["Amante del café. Lector. Jugador empedernido. Pionero de internet."],
    "cs": ["Milovník kávy. Čtenář. Vášnivý hráč. Průkopník internetu."],
    "ru": ["Любитель кофе. Читатель. Заядлый игрок. Пионер интернета."],
}
TAGLINES = {"fr": ["{Country} Dernières Nouvelles, {Country} Actualités", "Belgique Infos, Toute l'actualité belge"],
            "de": ["{Country} Nachrichten, Aktuelle Nachrichten aus {Country}"], "es": ["{Country} Noticias, Últimas noticias de {Country}"],
            "cs": ["{Country} Zprávy, Aktuální zprávy z Česka"], "ru": ["{Country} Новости, Последние новости"],
            "en": ["Breaking News, Latest Headlines"]}
COUNTRY = {"fr": "France", "de": "Deutschland", "es": "España", "cs": "Česko", "ru": "Россия"}
RIGHTS = {"fr": "Tous droits réservés.", "de": "Alle Rechte vorbehalten.", "es": "Todos los derechos reservados.",
          "cs": "Všechna práva vyhrazena.", "ru": "Все права защищены."}
# Held-out forms: real forms of the same kinds, written without looking at the rule files, which the
# held_out variant draws instead of the pools above. The pools above were written with the rules, and
# every label in them is a word-list entry; these measure whether the rules know the kind or only the
# strings.
HELD_OUT_RUBRICS = {
    "fr": ["Éco", "Bien-être", "Enquêtes", "Terroir", "Vie quotidienne"],
    "de": ["Verbraucher", "Digitales", "Zeitgeschehen", "Wirtschaftspolitik"],
    "es": ["Ocio", "Consumo", "Comunidad Valenciana", "Tendencias"],
    "cs": ["Lifestyle", "Kriminalita", "Počasí", "Zprávy z regionů"],
    "ru": ["Туризм", "Наука и техника", "Криминал", "Погода"],
}
HELD_OUT_RELATED = {
    "fr": ["Voir également", "À consulter aussi", "Articles en lien", "Lire plus sur le sujet"],
    "de": ["Mehr dazu", "Passend dazu", "Zum Weiterlesen", "Weitere Artikel zum Thema"],
    "es": ["Lee además", "Te podría interesar", "Más noticias sobre el tema", "Quizá te interese"],
    "cs": ["Čtěte více", "Další články k tématu", "Souvisí s tématem", "Přečtěte si více"],
    "ru": ["Читайте по теме", "Статьи по теме", "Это интересно", "Ещё материалы по теме"],
}
HELD_OUT_TRAILING = {
    "fr": ["Les articles les plus lus", "À lire dans la même rubrique", "Ces articles pourraient vous intéresser", "Nos dernières actualités"],
    "de": ["Die meistgelesenen Artikel", "Aktuelle Nachrichten", "Top-Artikel", "Weitere Nachrichten aus der Region"],
    "es": ["Las noticias más leídas", "Lo último", "Últimas noticias", "Más en esta sección"],
    "cs": ["Nejčtenější zprávy", "Nejnovější články", "Další články z rubriky", "Právě se čte"],
    "ru": ["Самое популярное", "Главное за неделю", "Читают сейчас", "Последние новости"],
}
HELD_OUT_READ_MORE = {
    "fr": ["Lire l'article »", "Découvrir la suite", "Continuer à lire", "[…] Lire plus"],
    "de": ["Mehr lesen »", "Zum Artikel", "Artikel lesen", "Weiter »"],
    "es": ["Leer noticia completa", "Ver más »", "Sigue leyendo", "Continuar »"],
    "cs": ["Více »", "Celý článek", "Pokračování článku", "Číst celé"],
    "ru": ["Читать полностью", "Далее »", "Читать дальше", "Подробнее..."],
}
HELD_OUT_COMMENTS = {
    "fr": ["Afficher les commentaires", "Voir les {n} commentaires", "Ajouter votre commentaire", "Soyez le premier à réagir",
           "Vous devez être connecté pour publier un commentaire."],
    "de": ["Kommentare anzeigen", "Alle {n} Kommentare anzeigen", "Schreiben Sie den ersten Kommentar",
           "Sie müssen angemeldet sein, um einen Kommentar abzugeben."],
    "es": ["Ver comentarios", "Mostrar {n} comentarios", "Sé el primero en comentar", "Debes iniciar sesión para publicar un comentario."],
    "cs": ["Zobrazit diskusi", "Zobrazit komentáře ({n})", "Buďte první, kdo přidá komentář", "Pro přidání komentáře se musíte přihlásit."],
    "ru": ["Показать комментарии", "Все комментарии ({n})", "Будьте первым, кто оставит комментарий", "Войдите, чтобы оставить комментарий."],
}
HELD_OUT_PROMOS = {
    "fr": ["Offre découverte : 1 € le premier mois", "Essayez gratuitement pendant 30 jours", "S'abonner", "Rejoignez-nous sur Instagram",
           "Retrouvez-nous sur WhatsApp"],
    "de": ["Jetzt 4 Wochen gratis lesen", "Zum Abo", "Hier abonnieren", "Folgen Sie uns auf Instagram", "Mehr Nachrichten in unserer App"],
    "es": ["Hazte suscriptor por 1 € al mes", "Suscríbete", "Únete a nuestro canal de WhatsApp", "Apúntate a nuestra newsletter"],
    "cs": ["Předplatné za 1 Kč na první měsíc", "Odebírejte náš newsletter", "Přidejte se k nám na Instagramu", "Staňte se předplatitelem"],
    "ru": ["Подписаться на новости", "Присоединяйтесь к нам в ВКонтакте", "Оформите подписку", "Наш канал в Дзене"],
}
HELD_OUT_CREDITS = {
    "fr": ["Photo {name} pour {SITE}", "© {name}", "Photo : DR", "Crédit : {agency}/{name}", "(Photo d'archives {agency})"],
    "de": ["Foto: privat", "Bildquelle: {agency}", "© {name}/{agency}", "Foto: Archiv"],
    "es": ["Foto: Archivo", "Imagen de archivo", "Fotografía: {agency}", "© {agency}"],
    "cs": ["Foto: archiv", "Snímek: {agency}", "Foto: {agency}/{name}", "Repro: {site}"],
    "ru": ["Фото: архив", "Фото: пресс-служба", "Кадр: {agency}", "Фото: {name}"],
}
GLYPHS = ["l", "n", "q", "w", "Ø", "§", "ü", "•", "▪", "■", "➢", "►"]


class Generator:
    """Random boilerplate in one language, filled from the pools above and other documents' text."""

    def __init__(self, language: str, documents: list[Document], rng: random.Random, held_out: bool = False):
        self.lang, self.documents, self.rng, self.held_out = language, documents, rng, held_out
        self.current: Document | None = None  # the article being written: its own text is never "another article"

    def pick(self, pool):
        return self.rng.choice(pool)

    def fill(self, template: str) -> str:
        agency, name, site = self.pick(AGENCIES[self.lang]), self.pick(NAMES[self.lang]), self.pick(SITES[self.lang])
        return template.format(
            agency=agency, AGENCY=agency.upper(), name=name, NAME=name.upper(), site=site, SITE=site.upper(),
            n=self.rng.randint(2, 480) if "%" not in template else self.rng.randint(40, 90),
            year=self.rng.randint(2019, 2024), Country=COUNTRY[self.lang],
        )

    def other(self) -> Document:
        return self.pick([d for d in self.documents if d is not self.current])

    def other_headline(self) -> str:
        return self.other().headline

    def teaser(self) -> str:
        text = " ".join(self.pick(self.other().paragraphs))
        cut = text[: self.rng.randint(80, 160)].rsplit(" ", 1)[0]
        return cut + self.pick(["…", "...", " …", " [...]"])

    def in_language(self, table: dict) -> list[str]:
        return table[self.lang] + (table["en"] if "en" in table and self.rng.random() < 0.25 else [])

    def forms(self, table: dict, held_out: dict) -> list[str]:
        """The forms of a kind to draw from: the pool, or the held-out forms."""
        return held_out[self.lang] if self.held_out else self.in_language(table)

    # header kinds: above the headline, or between the headline and the text
    def rubric(self) -> str:
        label = self.pick(self.forms(RUBRICS, HELD_OUT_RUBRICS))
        return self.pick([f"{label}.", label, label.upper(), f"{label}."])

    def kicker(self) -> str:
        return f"{self.pick(KICKERS[self.lang])}{self.pick([' –', ' -', ' —'])}"

    def breadcrumb(self) -> str:
        parts = [HOME[self.lang]] + self.rng.sample(RUBRICS[self.lang], 2)
        return self.pick([" > ", " › ", " / ", " » "]).join(parts)

    def byline(self) -> str:
        names = self.rng.sample(NAMES[self.lang], self.rng.choice([1, 1, 2]))
        joiner = {"fr": " et ", "de": " und ", "es": " y ", "cs": " a ", "ru": " и "}[self.lang]
        return f"{BYLINE[self.lang]} {joiner.join(names)}"

    def dateline(self) -> str:
        place, region = self.pick(PLACES[self.lang])
        day = self.pick(DAYS[self.lang])
        text = f"{place}{f' ({region})' if region else ''}, {day}."
        return text.upper() if place.isupper() and self.rng.random() < 0.5 else text

    # body kinds
    def comment(self) -> list[str]:
        lines = self.forms(COMMENTS, HELD_OUT_COMMENTS)
        return [self.fill(line) for line in self.rng.sample(lines, self.rng.randint(1, 4))]

    def promo(self) -> list[str]:
        return [self.fill(self.pick(self.forms(PROMOS, HELD_OUT_PROMOS)))]

    def share(self) -> list[str]:
        networks = self.rng.sample(NETWORKS, self.rng.randint(2, 5))
        row = self.pick([" ", " | ", " · ", ", "]).join(networks)
        word = SHARE_WORD[self.pick([self.lang, "en"])]
        return [self.pick([row, f"{word} : {row}", f"{word}: {row}", f"{word} {row}"])]

    def related(self) -> list[str]:
        label = self.pick(self.forms(RELATED, HELD_OUT_RELATED))
        headline = self.other_headline()
        form = self.rng.randrange(5)
        if form == 0:
            return [f"{label} : {headline}"]
        if form == 1:
            return [f"{label} >> {headline}"]
        if form == 2:
            return [f"» {label} - {headline}"]
        if form == 3:
            return [f"[{label}] {headline}"]
        return [label] + [self.other_headline() for _ in range(self.rng.randint(1, 3))]

    def teaser_block(self) -> list[str]:
        return [self.teaser(), self.pick(self.forms(READ_MORE, HELD_OUT_READ_MORE))]

    def trailing(self) -> list[str]:
        lines = [self.pick(self.forms(TRAILING, HELD_OUT_TRAILING))]
        for _ in range(self.rng.randint(2, 4)):
            form = self.rng.randrange(3)
            lines += [self.other_headline()] if form == 0 else self.teaser_block() if form == 1 else [f"{self.other_headline()}\n{self.teaser()}"]
        return [line for block in lines for line in block.split("\n")]

    def credit(self) -> list[str]:
        return [self.fill(self.pick(self.forms(CREDITS, HELD_OUT_CREDITS)))]

    def caption(self) -> list[str]:
        name, role = self.pick(NAMES[self.lang]), self.pick(ROLES[self.lang])
        scene, when = self.pick(SCENES[self.lang]), self.pick(CAPTION_TIMES[self.lang])
        credit = self.fill(self.pick(["({agency})", "(Photo {agency})", "Photo {name} / {agency}", "{AGENCY}/{name}", "© {agency}"]))
        form = self.rng.randrange(5)
        if form == 0:  # all-caps person caption
            return [f"{name}, {role}.".upper()]
        if form == 1:  # scene caption ending with its credit
            return [f"{name}, {role}, {scene}, {when}. {credit}"]
        if form == 2:
            other = self.pick(NAMES[self.lang])
            return [f"{name} {POSITION[self.lang]} {'et' if self.lang == 'fr' else '/'} {other} {scene} {credit}"]
        if form == 3:  # caption, then the credit on its own line
            return [f"{name}, {role}, {scene}, {when}.", self.fill(self.pick(self.forms(CREDITS, HELD_OUT_CREDITS)))]
        return [f"{name} {scene}, {when}"]  # a verbless scene caption without credit

    def rubric_in_body(self) -> list[str]:
        label = self.pick(self.forms(RUBRICS, HELD_OUT_RUBRICS))
        return self.pick([[f"{label}."], [f"{label}.", self.other_headline()]])

    def kicker_in_body(self) -> list[str]:
        return [self.kicker(), self.other_headline()]

    def bio(self) -> list[str]:
        return [self.pick(NAMES[self.lang]), f'"{self.pick(BIOS[self.lang])}"']

    def tagline(self) -> list[str]:
        return [self.fill(self.pick(self.in_language(TAGLINES)))]

    def link(self) -> list[str]:
        site = self.pick(SITES[self.lang])
        return [self.pick([f"https://www.{site}.{TLD[self.lang]}/article/{self.rng.randint(1000, 99999)}.html",
                           f"www.{site}.{TLD[self.lang]}", f"redaction@{site}.{TLD[self.lang]}"])]

    def copyright(self) -> list[str]:
        site = self.pick(SITES[self.lang]).capitalize()
        return [self.pick([f"© {site} {self.rng.randint(2019, 2024)}. {RIGHTS[self.lang]}", f"© {site}", f"Copyright {site} {self.rng.randint(2019, 2024)}"])]

    def glyph_line(self) -> list[str]:
        return [self.pick(["•", "■", "▪", "●"])]

    def label_block(self) -> list[str]:
        """A label over other articles' headlines, as they are (with their final punctuation, if any)."""
        headlines = [self.other_headline() for _ in range(self.rng.randint(1, 3))]
        form = self.rng.randrange(4)
        if form == 0:
            return [self.pick(self.forms(RELATED, HELD_OUT_RELATED))] + headlines
        if form == 1:
            return [f"{self.pick(self.forms(RUBRICS, HELD_OUT_RUBRICS))}.", headlines[0]]
        if form == 2:
            return [f"{self.pick(self.forms(RUBRICS, HELD_OUT_RUBRICS))}."]  # a rubric whose headline was lost: prose follows it
        return [self.kicker(), headlines[0]]

    BODY_KINDS = ("comment", "promo", "share", "related", "teaser_block", "credit", "caption", "rubric_in_body",
                  "kicker_in_body", "bio", "link", "glyph_line")
    TAIL_KINDS = ("comment", "share", "trailing", "copyright", "tagline", "promo", "link")


# Header kinds by a random roll: (upper bound of the roll, kinds injected).
ABOVE_HEADLINE = ((0.25, ("rubric",)), (0.4, ("kicker",)), (0.5, ("breadcrumb",)), (0.55, ("rubric", "kicker")))
GLUED_KICKER = (0.55, 0.65)  # rolls in this range glue a kicker to the headline instead
BELOW_HEADLINE = ((0.25, ("byline",)), (0.4, ("dateline",)), (0.5, ("byline", "dateline")))


def roll(table: tuple, value: float) -> tuple[str, ...]:
    return next((kinds for bound, kinds in table if value < bound), ())


def write_article(document: Document, generator: Generator | None, rng: random.Random) -> Article:
    """The article file's text; with a generator, boilerplate injected around and between paragraphs."""
    if generator is None:
        return Article(document, "\n\n".join([document.headline] + document.texts) + "\n")
    article = Article(document, "")
    generator.current = document
    blocks: list[str] = []

    def inject(kind: str, lines: list[str], joined: bool = False) -> None:
        article.injected.extend(Injected(kind, line) for line in lines)
        blocks.append("\n".join(lines)) if joined else blocks.extend(lines)

    headline = document.headline
    above = rng.random()
    for kind in roll(ABOVE_HEADLINE, above):
        inject(kind, [getattr(generator, kind)()])
    if GLUED_KICKER[0] <= above < GLUED_KICKER[1] and not headline.endswith((".", "?", "!")):
        kicker = generator.pick(KICKERS[generator.lang]).upper()
        article.injected.append(Injected("kicker (glued to the headline)", kicker))
        headline = f"{kicker}{rng.choice([' – ', ' - ', '. '])}{headline}"
    blocks.append(headline)
    for kind in roll(BELOW_HEADLINE, rng.random()):
        inject(kind, [getattr(generator, kind)()])
    for index, text in enumerate(document.texts):
        if index > 0 and rng.random() < 0.12:
            glyph = rng.choice(GLYPHS)
            article.glyph_paragraphs[index] = glyph
            text = f"{glyph} {text}"
        blocks.append(text)
        if index < len(document.texts) - 1 and rng.random() < 0.5:
            kind = rng.choice(Generator.BODY_KINDS)
            inject(kind, getattr(generator, kind)(), joined=kind in ("teaser_block", "related") and rng.random() < 0.5)
    for kind in rng.sample(Generator.TAIL_KINDS, rng.randint(1, 4)):
        inject(kind, getattr(generator, kind)(), joined=kind in ("comment", "trailing") and rng.random() < 0.5)
    article.text = "\n\n".join(blocks) + "\n"
    return article


def write_lists_article(document: Document, generator: Generator, rng: random.Random) -> Article:
    """The article with a label over other articles' headlines (Generator.label_block) between half of
    its paragraphs: the paragraph after each block is exposed to the rules that take headlines under labels."""
    article = Article(document, "")
    generator.current = document
    blocks = [document.headline]
    for index, text in enumerate(document.texts):
        if index > 0 and rng.random() < 0.5:
            lines = generator.label_block()
            article.injected.extend(Injected("label over headlines", line) for line in lines)
            blocks.append("\n".join(lines)) if rng.random() < 0.5 else blocks.extend(lines)
        blocks.append(text)
    article.text = "\n\n".join(blocks) + "\n"
    return article


def wrap(text: str) -> str:
    """Every line hard-wrapped at WIDTH columns, blank lines kept."""
    return "\n".join(textwrap.fill(line, WIDTH) if line.strip() else "" for line in text.split("\n"))


# --- scoring ------------------------------------------------------------------------------------


def contains(haystack: str, needle: str) -> bool:
    return bool(needle) and f" {needle} " in f" {haystack} "


def score(article: Article, cleaned, figures: dict) -> None:
    document = article.document
    leftovers = [fingerprint(p) for p in cleaned.paragraphs]
    moved = " | ".join(fingerprint(v) for v in cleaned.metadata.values())
    title = fingerprint(cleaned.title)
    figures["articles"] += 1
    if title == fingerprint(document.headline):
        figures["titles_right"] += 1
    elif len(figures["titles_wrong"]) < EXAMPLES:
        figures["titles_wrong"].append({"doc": document.docid, "headline": document.headline, "title": cleaned.title})
    earlier: set[str] = set()
    for index, segments in enumerate(document.paragraphs):
        if index:
            earlier.update(fingerprint(s) for s in document.paragraphs[index - 1])
        key = fingerprint(" ".join(segments))
        figures["prose_paragraphs"] += 1
        subhead = is_subhead(segments)
        figures["subheads"] += subhead
        if key in leftovers:
            leftovers.remove(key)
            continue
        if any(contains(p, key) for p in leftovers):
            figures["merged"] += 1
            note = "merged"
        elif all(fingerprint(s) in earlier for s in segments):
            figures["source_repeats_dropped"] += 1
            note = "source repeat"
        elif contains(moved, key) or contains(title, key) or (len(segments) == 1 and contains(moved, key.partition(" ")[2])):
            figures["moved_to_metadata"] += 1
            note = "moved"
        elif subhead:
            figures["subheads_dropped"] += 1
            note = "subhead"
        else:
            figures["prose_lost"] += 1
            note = "lost"
        examples = figures["examples"].setdefault(note, [])
        if len(examples) < EXAMPLES:
            removed = [rule for rule, text in cleaned.removed if key and fingerprint(text) and contains(key, fingerprint(text))]
            examples.append({"doc": document.docid, "paragraph": " ".join(segments)[:200], "rules": removed[:3]})
    for item in article.injected:
        key = fingerprint(item.text)
        if len(key.split()) < 3:  # a short line ("Économie.") counts only as a paragraph of its own or its start
            kept = any(p == key or p.startswith(key + " ") for p in leftovers) or key == title
        else:
            kept = any(contains(p, key) for p in leftovers) or key == title
        by_kind = figures["injected_by_kind"].setdefault(item.kind, [0, 0])
        by_kind[0] += 1
        by_kind[1] += kept
        figures["injected_lines"] += 1
        if kept:
            figures["injected_kept"] += 1
            if len(figures["injected_kept_examples"]) < 3 * EXAMPLES:
                figures["injected_kept_examples"].append({"kind": item.kind, "line": item.text[:160], "doc": document.docid})
    for index, glyph in article.glyph_paragraphs.items():
        figures["injected_lines"] += 1
        by_kind = figures["injected_by_kind"].setdefault("bullet-glyph residue", [0, 0])
        by_kind[0] += 1
        text = " ".join(document.texts[index].split())
        if any(p.startswith(glyph + " ") and text in p for p in cleaned.paragraphs):
            by_kind[1] += 1
            figures["injected_kept"] += 1
            figures["injected_kept_examples"].append({"kind": "bullet-glyph residue", "line": f"{glyph} {text[:60]}", "doc": document.docid})


def new_figures() -> dict:
    return {"articles": 0, "prose_paragraphs": 0, "prose_lost": 0, "merged": 0, "moved_to_metadata": 0, "source_repeats_dropped": 0, "subheads": 0,
            "subheads_dropped": 0, "injected_lines": 0, "injected_kept": 0, "titles_right": 0, "titles_wrong": [],
            "injected_by_kind": {}, "injected_kept_examples": [], "examples": {}}


def run_variant(language: str, articles: list[Article], variant: str, tmp: Path) -> dict:
    cluster = tmp / f"{language}-{variant}"
    cluster.mkdir()
    for number, article in enumerate(articles):
        text = wrap(article.text) if variant.endswith("wrapped") else article.text
        (cluster / f"{number:03d}.txt").write_text(text, "utf-8")
    ingested = ingest_cluster(cluster)
    assert len(ingested.articles) == len(articles), [str(p) for p in ingested.problems + ingested.warnings]
    figures = new_figures()
    for number, item in enumerate(ingested.articles):
        score(articles[int(item.id)], clean_article(item, language=language), figures)
    return figures


def justext_baseline(language: str, articles: list[Article]) -> dict:
    """jusText's own classifier on the same files, each non-blank line a <p>: what it would lose and keep."""
    import justext

    stoplist = justext.get_stoplist(STOPLISTS[language])
    figures = {"prose_paragraphs": 0, "prose_lost": 0, "injected_lines": 0, "injected_kept": 0}
    for article in articles:
        lines = [normalise(line).strip() for line in article.text.split("\n") if line.strip()]
        page = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</body></html>"
        good = [fingerprint(p.text) for p in justext.justext(page.encode("utf-8"), stoplist) if not p.is_boilerplate]
        for text in article.document.texts:
            figures["prose_paragraphs"] += 1
            figures["prose_lost"] += not any(contains(g, fingerprint(text)) for g in good)
        for item in article.injected:
            figures["injected_lines"] += 1
            figures["injected_kept"] += any(contains(g, fingerprint(item.text)) for g in good)
    return figures


def seed_cluster() -> dict:
    seeds = REPO / "seeds" / "fr-03"
    out = {}
    for item in ingest_cluster(seeds).articles:
        cleaned = clean_article(item, cluster_id="fr-03")
        out[item.id] = {"title": cleaned.title, "metadata": cleaned.metadata, "paragraphs": len(cleaned.paragraphs),
                        "removed": [[rule, text[:120]] for rule, text in cleaned.removed]}
    return out


def main() -> None:
    languages = [a for a in sys.argv[1:] if not a.startswith("-")] or LANGUAGES
    write = "--no-write" not in sys.argv
    if not DATA.is_dir():
        print(f"{DATA} not found: the benchmark needs ../shared/data/newstest2012; nothing measured")
        return
    start = time.perf_counter()
    results: dict = {"load_before": os.getloadavg()[0], "cpu_count": os.cpu_count(), "rules": rules_fingerprint(),
                     "width": WIDTH, "languages": {}, "justext_baseline": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for language in languages:
            documents = read_documents(language)
            rng = random.Random(f"bench-clean-{language}")
            generator = Generator(language, documents, rng)
            plain = [write_article(d, None, rng) for d in documents]
            injected = [write_article(d, generator, rng) for d in documents]
            held_rng = random.Random(f"bench-clean-held-out-{language}")
            held_generator = Generator(language, documents, held_rng, held_out=True)
            held_out = [write_article(d, held_generator, held_rng) for d in documents]
            lists_rng = random.Random(f"bench-clean-lists-{language}")
            lists_generator = Generator(language, documents, lists_rng)
            lists = [write_lists_article(d, lists_generator, lists_rng) for d in documents]
            results["languages"][language] = {}
            for variant in VARIANTS:
                articles = {"injected": injected, "injected_wrapped": injected, "held_out": held_out, "lists": lists}.get(variant, plain)
                figures = run_variant(language, articles, variant, Path(tmp))
                results["languages"][language][variant] = figures
                print(f"{language} {variant:>16}: prose lost {figures['prose_lost']:3d}/{figures['prose_paragraphs']}"
                      f" (merged {figures['merged']}, to metadata {figures['moved_to_metadata']}),"
                      f" subheads dropped {figures['subheads_dropped']}/{figures['subheads']},"
                      f" boilerplate kept {figures['injected_kept']:3d}/{figures['injected_lines']},"
                      f" titles {figures['titles_right']}/{figures['articles']}", flush=True)
            results["justext_baseline"][language] = justext_baseline(language, injected)
            base = results["justext_baseline"][language]
            print(f"{language} jusText alone (injected): prose lost {base['prose_lost']}/{base['prose_paragraphs']},"
                  f" boilerplate kept {base['injected_kept']}/{base['injected_lines']}", flush=True)
    results["seed_cluster"] = seed_cluster()
    results["seconds"] = round(time.perf_counter() - start, 1)
    results["load_after"] = os.getloadavg()[0]
    print(f"{results['seconds']} s (load {results['load_before']:.1f} -> {results['load_after']:.1f} on {os.cpu_count()} cores)")
    if write and tuple(languages) == LANGUAGES:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"wrote {RESULTS.relative_to(REPO)}")
    else:
        (Path(tempfile.gettempdir()) / "clean-dev.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
