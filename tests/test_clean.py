"""Cleaner: prose is kept, boilerplate goes by kind, on the real seeds and on cases from other sites
in French, German, Spanish, Czech, Russian and languages without a rules file."""

from __future__ import annotations

import textwrap

import pytest

from summarize import clean
from summarize.clean import (
    addresses_someone,
    clean_article,
    fingerprint,
    is_link_label,
    load_rules,
    rejoin_wrapped,
    rules_fingerprint,
    wrap_width,
)
from summarize.ingest import ingest_cluster
from summarize.records import IngestedArticle

BOILERPLATE = [
    "Lire la suite »",
    "Similar News",
    "Laisser un commentaire",
    "Votre adresse e-mail ne sera pas publiée",
    "Comment (0)",
    "Lien source",
    "CLIQUEZ ICI POUR OBTENIR",
    "France Dernières Nouvelles",
    "Fan du Web",
    "Félix Germain",
    "date 2023-09",
    "fr-03",
    "(Reuters)",
    "lors d'une exposition d'armes",
    "Guerre en Ukraine Kim Jong Un prevoit",
]
LEAD = "Le gouvernement a présenté jeudi son projet de budget. Il prévoit 12 milliards d'économies."
TAIL = "Le texte se poursuit ici. Il compte deux phrases."


def article(text: str, id: str = "a") -> IngestedArticle:
    return IngestedArticle(id=id, path=f"c/{id}.txt", sha256="0" * 64, text=text, encoding="utf-8")


def cleaned(text: str, language: str = "fr"):
    return clean_article(article(text), language=language)


@pytest.fixture(scope="module")
def seeds(seed_dir):
    return {a.id[:3]: clean_article(a, cluster_id="fr-03") for a in ingest_cluster(seed_dir).articles}


# --- the seed cluster ------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", BOILERPLATE)
def test_no_seed_boilerplate_survives(seeds, marker):
    for article_ in seeds.values():
        assert marker not in article_.text, (article_.id, marker)


@pytest.mark.parametrize(
    "seed, key, value",
    [
        ("000", "tag", "fr-03"),
        ("000", "section", "Guerre en Ukraine"),
        ("003", "date", "2023-09"),
        ("004", "author", "Hyunsu Yim et Josh Smith"),
        ("004", "place", "SEOUL"),
    ],
)
def test_seed_metadata(seeds, seed, key, value):
    assert seeds[seed].metadata[key] == value
    assert value not in seeds[seed].text or key == "section"


@pytest.mark.parametrize(
    "seed, title",
    [
        ("000", "Kim Jong Un prévoit de rencontrer Poutine en Russie pour discuter d’un éventuel accord d’armement, selon les États-Unis."),
        ("002", "Washington : une prochaine rencontre entre Kim et Poutine pour mener des « négociations sur les armes »"),
    ],
)
def test_seed_headline_is_title(seeds, seed, title):
    assert seeds[seed].title == title
    assert title not in seeds[seed].text


def test_seed_article_text_kept(seeds):
    assert seeds["002"].paragraphs[0].startswith("La Maison Blanche a annoncé hier (lundi)")
    assert seeds["003"].paragraphs[0].startswith("Le dirigeant nord-coréen Kim Jong Un rencontrera")
    assert seeds["003"].paragraphs[-1].startswith("« Un autre avantage")
    assert "Pyongyang" in seeds["001"].text


def test_seed_004_repeated_paragraphs_dropped(seeds):
    paragraphs = seeds["004"].paragraphs
    assert len(paragraphs) == 4
    assert not any(p.startswith("SEOUL") for p in paragraphs)
    assert sum(p.count("est arrivé en Russie aux premières heures") for p in paragraphs) == 1


def test_every_removal_is_listed_with_its_rule(seeds):
    for article_ in seeds.values():
        assert all(rule and text for rule, text in article_.removed)
    rules = {rule for article_ in seeds.values() for rule, _ in article_.removed}
    assert {"comment form", "teaser link", "caption", "repeated paragraph", "author bio"} <= rules | {"teaser link"}


# --- prose is kept, whatever its final punctuation --------------------------------------------------


@pytest.mark.parametrize(
    "paragraph",
    [
        # quotations closed after a (no-break) space
        "« Nous ne céderons rien . »",
        "Le ministre a été clair. « Nous ne céderons rien. »",
        "Le président a haussé le ton, avant de conclure, a-t-il lancé : « C'est fini ! »",
        "« Est-ce vraiment la fin ? »",
        "« C'est fini\u00a0! »",
        "« Jamais\u202f! »",
        # lead-ins ending with a colon, and the list items with the figures that follow them
        "Voici le détail des mesures annoncées jeudi :",
        "Crédit Mutuel : 1,2 milliard",
        "BNP Paribas : 3,4 milliards d'euros",
        "Le 8 août :",
        "Photo de famille au sommet de l'OTAN, où les dirigeants ont posé ensemble",
        # standfirsts and leads without a final full stop
        "La réforme des retraites entre en vigueur le 1er septembre, après des mois de contestation",
        "Le Premier ministre a annoncé mardi un plan de relance de 30 milliards d'euros pour l'industrie",
        # subheads, verbless or not
        "Réactions",
        "La dette",
        "Un succès rapide",
        "Trapattoni participe à l'EM",
        # short answers and verdicts
        "Non.",
        "Faux.",
        "Pourquoi ?",
        # names, numbers and results
        "Jiracek 23e, Pilar 45e, Rosicky 67e. Spectateurs : 12 000.",
        "Les discussions sur le même sujet, a précisé le ministre, reprendront lundi.",
        "Sur le même sujet, le ministre a déclaré que rien ne changerait.",
        "Partager le pouvoir est difficile, a reconnu le maire.",
        "Lire aussi les mémoires du général, publiées en 1970, aide à comprendre.",
        "Il l'a dit lors d'une conférence de presse à Paris, le 12 mars 2024.",
        "IBM - ou bien la \"Grande Bleue\" - a grandi jusqu'à devenir une très grande firme.",
        "Le gouvernement a démissionné, a annoncé l'agence de presse tchèque (CTK).",
        "Les journalistes ont été autorisés à filmer la scène, et les caméras ont pu capturer des images.",
        # comments named in prose, a reply and a question are no comment widget
        "Pas de commentaire.",
        "Que pensez-vous de ce commentaire ?",
        "Le ministre n'a pas souhaité commenter.",
        # link words in a sentence are no label
        "Plus d'articles sur le sujet seront publiés demain.",
    ],
)
def test_french_prose_is_kept(paragraph):
    result = cleaned(f"Titre de l'article\n\n{LEAD}\n\n{paragraph}\n\n{TAIL}")
    assert " ".join(paragraph.split()) in result.paragraphs, result.removed  # every kind of space is one space


@pytest.mark.parametrize(
    "language, paragraph",
    [
        ("de", "Welche Erinnerungen hast du an dein anderes Projekt?"),
        ("de", "Betrunkener Autofahrer schwer verletzt"),
        ("de", "Herr Kelly sagte, dass viele Personen im Park ein- und ausgehen, fast wie Pendler."),
        ("de", "Nach der Strafanzeige wurde er am 2. September für 30 Tage festgenommen."),
        ("de", "Von Berlin nach Hamburg fahren täglich 40 Züge."),
        ("es", "¿Por qué siempre cambian la letra de la canción en vivo?"),
        ("es", "Compartir el poder no es fácil, dijo el alcalde."),
        ("cs", "V kině na Alexandrově náměstí v noci na pondělí hořelo."),
        ("cs", "Přísný dohled, nízký rozpočet."),
        ("ru", "Составьте собственное меню."),
        ("ru", "Пожар в кинотеатре на Александерплац"),
        ("it", "Il governo ha presentato giovedì la manovra"),
        ("de", "Kein Kommentar."),
        ("es", "¿Qué opina de los comentarios del ministro?"),
        ("es", "Hacer comentarios desagradables"),  # a subhead naming comments
        ("ru", "Без комментариев."),
        ("cs", "Diskuse o rozpočtu"),
    ],
)
def test_prose_is_kept_in_other_languages(language, paragraph):
    result = cleaned(f"Titel\n\nErster Absatz mit einem Satz. Noch ein Satz.\n\n{paragraph}\n\nLetzter Absatz. Ende.", language)
    assert paragraph in result.paragraphs, result.removed


def test_short_answers_repeat_but_long_paragraphs_do_not():
    text = f"Titre\n\nA-t-il signé ? Non.\n\nNon.\n\nNon.\n\n{LEAD}\n\n{LEAD}"
    result = cleaned(text)
    assert result.paragraphs.count("Non.") == 2  # "non" inside "annonce" or an earlier answer is no repeat
    assert result.paragraphs.count(LEAD) == 1
    assert ("repeated paragraph", LEAD) in result.removed


# --- boilerplate goes, by kind ------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, line, rule",
    [
        # comment forms
        ("fr", "Laissez un commentaire", "comment form"),
        ("fr", "12 commentaires", "comment form"),
        ("fr", "Votre adresse de messagerie ne sera pas publiée.", "comment form"),
        ("fr", "Enregistrer mon nom, mon e-mail et mon site dans le navigateur pour mon prochain commentaire.", "comment form"),
        ("fr", "Nom *", "comment form"),
        ("de", "Kommentare (14)", "comment form"),
        ("de", "Ihre E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert", "comment form"),
        ("es", "Deja un comentario", "comment form"),
        ("es", "Tu dirección de correo electrónico no será publicada.", "comment form"),
        ("cs", "Diskuse (23)", "comment form"),
        ("ru", "Оставить комментарий", "comment form"),
        ("it", "Leave a Reply", "comment form"),
        # comment widgets in words the patterns do not hold: a short line naming comments, or one speaking
        # to the reader
        ("fr", "Afficher les commentaires", "comment form"),
        ("fr", "Voir les 12 commentaires", "comment form"),
        ("fr", "Soyez le premier à réagir", "comment form"),
        ("fr", "Vous devez être connecté pour publier un commentaire.", "comment form"),
        ("de", "Alle 153 Kommentare anzeigen", "comment form"),
        ("es", "Sé el primero en comentar", "comment form"),
        ("es", "Debes iniciar sesión para publicar un comentario.", "comment form"),
        ("cs", "Zobrazit komentáře (12)", "comment form"),
        ("ru", "Показать комментарии", "comment form"),
        ("ru", "Будьте первым, кто оставит комментарий", "comment form"),
        # promotion
        ("fr", "Abonnez-vous à notre newsletter", "promo"),
        ("fr", "Téléchargez notre application pour suivre l'actualité", "promo"),
        ("fr", "Il vous reste 78% de cet article à lire.", "promo"),
        ("fr", "Publicité", "promo"),
        ("de", "Jetzt abonnieren!", "promo"),
        ("de", "Anzeige", "promo"),
        ("es", "Síguenos en Twitter y Facebook", "promo"),
        ("cs", "Sledujte nás na Facebooku", "promo"),
        ("ru", "Подписывайтесь на наш канал в Telegram", "promo"),
        ("pl", "Advertisement", "promo"),
        # share rows and links
        ("fr", "Partager : Facebook | X | WhatsApp", "share"),
        ("de", "Teilen: Facebook, Twitter, WhatsApp", "share"),
        ("cs", "Facebook Twitter LinkedIn E-mail", "share"),
        ("fr", "https://exemple.fr/article/123", "link"),
        ("es", "redaccion@diariosur.es", "link"),
        # related links
        ("fr", "À lire aussi : Le président en visite à Lyon", "related link"),
        ("fr", "» LIRE AUSSI - Le président en visite à Lyon", "related link"),
        ("fr", "[Lire aussi] Le président en visite à Lyon", "related link"),
        ("de", "Lesen Sie auch: Der Kanzler reist nach Paris", "related link"),
        ("es", "Lea también: El presidente viaja a Lyon", "related link"),
        ("cs", "Čtěte také: Prezident navštívil Lyon", "related link"),
        ("ru", "Читайте также: Президент посетил Лион", "related link"),
        # credits
        ("fr", "Photo AFP.", "photo credit"),
        ("fr", "Crédit photo : Jean Dupont / Reuters", "photo credit"),
        ("fr", "AFP PHOTO / LUDOVIC MARIN", "photo credit"),
        ("de", "Foto: Max Mustermann/dpa", "photo credit"),
        ("es", "(Foto: EFE)", "photo credit"),
        ("cs", "Foto: Jan Novák, zpravy24", "photo credit"),
        ("ru", "Фото: © ТАСС", "photo credit"),
        # a credit word, a colon and one or two words of any kind
        ("de", "Foto: privat", "photo credit"),
        ("cs", "Repro: zpravy24", "photo credit"),
        ("ru", "Фото: пресс-служба", "photo credit"),
        ("es", "Foto: Archivo", "photo credit"),
        ("fr", "© AFP 2023", "copyright"),
        # captions
        ("fr", "JEAN DUPONT, DIRECTEUR GÉNÉRAL.", "all-caps caption or credit"),
        ("fr", "Le maire inaugure le pont (AFP)", "caption (ends with a credit)"),
        ("fr", "Marie Lefèvre, maire de Lyon, lors de sa visite à Marseille, le 12 mars 2024. Photo Jean Dupont / AFP", "caption (ends with a credit)"),
        ("fr", "Des manifestants devant la préfecture samedi", "caption"),
        ("fr", "Emmanuel Macron (à gauche) et Olaf Scholz à Berlin", "caption"),
        ("de", "Anna Schmidt, Sprecherin der Regierung, während des Gipfels in Brüssel, am 12. März 2024.", "caption"),
        ("es", "Javier Ruiz durante una rueda de prensa en Madrid, el 12 de marzo de 2024", "caption"),
        ("cs", "Tomáš Dvořák na tiskové konferenci v Praze, 12. března 2024.", "caption"),
        ("ru", "Иван Петров на пресс-конференции в Москве, 12 марта 2024 года", "caption"),
        # labels and kickers among paragraphs
        ("fr", "Économie.", "rubric label"),
        ("fr", "Asie du Sud-Est.", "rubric label"),
        ("fr", "Faits divers.", "rubric label"),
        ("fr", "CYCLISME –", "kicker"),
        ("de", "FUSSBALL -", "kicker"),
        # source links
        ("fr", "Lien source", "source link"),
        ("fr", "Source : https://exemple.fr/a/1", "source link"),
        # taglines
        ("fr", "Belgique Infos, Toute l'actualité belge", "site tagline"),
        ("es", "España Noticias, Últimas noticias de España", "site tagline"),
    ],
)
def test_boilerplate_kinds_are_removed(language, line, rule):
    text = f"Titre de l'article\n\n{LEAD}\n\n{line}\n\n{TAIL}"
    result = cleaned(text, language)
    assert line not in result.text
    assert (rule, line) in result.removed
    assert result.paragraphs == (LEAD, TAIL)


@pytest.mark.parametrize(
    "block, removed",
    [
        # a label alone and the links under it; the article goes on after them
        ("Sur le même sujet\nLe maire de Lyon réélu\nLa métropole vote son budget", 3),
        ("Voir aussi\n\nPourquoi le chômage remonte-t-il ?\n\nLa métropole vote son budget", 3),
        # a kicker or rubric over another article's headline
        ("PEOPLE -\n\nJohnny Hallyday : le dernier concert", 2),
        ("Banque.\n\nLa BNP rachète une filiale", 2),
        # a teaser cut short, or glued to its headline, and its "read more" link
        ("Le conseil municipal a voté hier soir une hausse des tarifs de…\nLire la suite »", 2),
        ("Le maire réélu à LyonLe maire sortant a été réélu dimanche.\n(Lire la suite)", 2),
        # a "read more" link in words the lists do not hold, under a teaser cut short
        ("Le conseil municipal a voté hier soir une hausse des tarifs de…\nDécouvrir la suite", 2),
        ("Le conseil municipal a voté hier soir une hausse des tarifs de…\n\nContinuer à lire »", 2),
        # a credit on its own line under a caption
        ("Jean Dupont, maire de Lyon, lors de l'inauguration, samedi.\nPhoto : AFP", 2),
    ],
)
def test_boilerplate_blocks_between_paragraphs(block, removed):
    result = cleaned(f"Titre de l'article\n\n{LEAD}\n\n{block}\n\n{TAIL}")
    assert result.paragraphs == (LEAD, TAIL), result.removed
    assert len(result.removed) == removed


@pytest.mark.parametrize(
    "name, bio",
    [
        ("Félix Germain", '"Fan du Web. Étudiant. Organisateur. Totalement expert de Twitter."'),
        ("Hans Müller", '"Kaffeeliebhaber. Leser. Leidenschaftlicher Spieler. Internet-Pionier."'),
    ],
)
def test_generated_author_bio_and_its_name_go(name, bio):
    result = cleaned(f"Titre\n\n{LEAD}\n\n{TAIL}\n\n{name}\n\n{bio}")
    assert result.paragraphs == (LEAD, TAIL)
    assert result.removed == (("author name", name), ("author bio", bio))


@pytest.mark.parametrize(
    "top, kept",
    [
        # another article's teaser above the headline: no content word in common with the article
        ("Le génie génétique pourrait conduire à la création d'une arme terrible.", False),
        # a sentence about the article on the first line is its headline, and the next line is kept
        ("Le budget de l'État prévoit douze milliards d'économies, selon le gouvernement.", True),
    ],
)
def test_a_line_above_the_headline_goes_only_when_it_is_another_article(top, kept):
    second = "Le gouvernement présente son budget"
    result = cleaned(f"{top}\n\n{second}\n\n{LEAD}\n\n{TAIL}")
    assert result.title == (top if kept else second)
    assert result.paragraphs == ((second,) if kept else ()) + (LEAD, TAIL)
    assert bool(result.removed) is not kept


def test_a_copy_of_the_headline_in_the_text_goes():
    text = f"Guerre en Ukraine | Kiev reprend une ville clé\n\nGuerre en Ukraine Kiev reprend une\n\n{LEAD}"
    result = cleaned(text)
    assert result.paragraphs == (LEAD,)
    assert result.removed == (("copy of the headline", "Guerre en Ukraine Kiev reprend une"),)


def test_a_read_more_link_alone_does_not_take_the_paragraph_above():
    result = cleaned(f"Titre\n\n{LEAD}\n\n{TAIL}\n\nLire la suite »")
    assert result.paragraphs == (LEAD, TAIL)
    assert result.removed == (("teaser link", "Lire la suite »"),)


def test_end_of_page_block_goes_whole_unless_article_prose_follows():
    tail = "Articles similaires\n\nUn autre sujet sans rapport. Encore.\n\nLe maire de Lyon réélu\n\nGrève à la SNCF"
    result = cleaned(f"Titre\n\n{LEAD}\n\n{tail}")
    assert result.paragraphs == (LEAD,)
    long_prose = ("Le budget sera voté en décembre par les députés, après trois semaines de débats en commission et en "
                  "séance. Les sénateurs l'examineront ensuite, et le gouvernement espère une adoption définitive avant Noël.")
    result = cleaned(f"Titre\n\n{LEAD}\n\nLes plus lus\n\nLe maire de Lyon réélu\n\n{long_prose}")
    assert result.paragraphs == (LEAD, long_prose)


def test_bullet_glyph_residue_is_stripped_and_the_item_kept():
    result = cleaned(f"Titre\n\n{LEAD}\n\nw 9 décembre : le conseil vote le budget.\n\n■ Le 8 août : premier vote.\n\n•\n\n{TAIL}")
    assert result.paragraphs == (LEAD, "9 décembre : le conseil vote le budget.", "Le 8 août : premier vote.", TAIL)
    assert ("bullet-glyph residue", "w") in result.removed


@pytest.mark.parametrize(
    "language, line, item",
    [
        # a symbol-font letter before a quote, a figure or a capital
        ("es", "q 'Las encuestas de salud de 1999 y 2006 señalaron un aumento.'", "'Las encuestas de salud de 1999 y 2006 señalaron un aumento.'"),
        ("fr", "w « Nous ne céderons rien », a dit le maire.", "« Nous ne céderons rien », a dit le maire."),
        ("de", "n 12 Prozent mehr Umsatz im dritten Quartal.", "12 Prozent mehr Umsatz im dritten Quartal."),
    ],
)
def test_glyph_letters_before_an_item_go(language, line, item):
    result = cleaned(f"Titre\n\n{LEAD}\n\n{line}\n\n{TAIL}", language)
    assert result.paragraphs[1] == item


@pytest.mark.parametrize("language, line", [("cs", "v Praze se sešla vláda."), ("fr", "a été voté hier.")])
def test_a_one_letter_word_is_no_glyph(language, line):
    assert cleaned(f"Titre\n\n{LEAD}\n\n{line}\n\n{TAIL}", language).paragraphs[1] == line


def test_a_credit_after_a_paragraph_goes_and_the_paragraph_stays():
    result = cleaned(f"Titre\n\n{LEAD} (AFP)\n\n{TAIL}")
    assert result.paragraphs == (LEAD, TAIL)
    assert ("credit", "(AFP)") in result.removed


# --- other articles' headlines under labels -------------------------------------------------------------

# Articles long enough to tell what is off their topic: a title and three paragraphs per language.
ARTICLES = {
    "fr": ("Le gouvernement présente un budget de rigueur pour 2025", [
        "Le gouvernement a présenté jeudi son projet de budget pour 2025, qui prévoit douze milliards d'économies sur les dépenses de l'État.",
        "Les collectivités locales devront réduire leurs dépenses de fonctionnement de deux milliards, tandis que les crédits des "
        "ministères de l'Éducation et de la Santé seront gelés.",
        "Le texte sera examiné par les députés à partir du 15 octobre, avant un vote solennel prévu fin novembre à l'Assemblée nationale.",
    ]),
    "de": ("Bundesregierung legt Sparhaushalt für 2025 vor", [
        "Die Bundesregierung hat am Donnerstag ihren Haushaltsentwurf für 2025 vorgelegt, der Einsparungen von zwölf Milliarden Euro vorsieht.",
        "Länder und Kommunen sollen ihre laufenden Ausgaben um zwei Milliarden senken, während die Etats für Bildung und Gesundheit "
        "eingefroren werden.",
        "Der Bundestag wird den Entwurf ab dem 15. Oktober beraten, die Schlussabstimmung ist für Ende November geplant.",
    ]),
    "es": ("El Gobierno presenta unos presupuestos de austeridad para 2025", [
        "El Gobierno presentó el jueves su proyecto de presupuestos para 2025, que prevé un ahorro de doce mil millones de euros en el gasto del Estado.",
        "Las comunidades autónomas deberán reducir sus gastos corrientes en dos mil millones, mientras que las partidas de Educación "
        "y Sanidad quedarán congeladas.",
        "El Congreso debatirá el proyecto a partir del 15 de octubre y la votación final está prevista para finales de noviembre.",
    ]),
    "cs": ("Vláda předložila úsporný rozpočet na rok 2025", [
        "Vláda ve čtvrtek předložila návrh rozpočtu na rok 2025, který počítá s úsporami ve výši dvanácti miliard korun ve výdajích státu.",
        "Kraje a obce budou muset snížit provozní výdaje o dvě miliardy, zatímco rozpočty ministerstev školství a zdravotnictví "
        "zůstanou zmrazené.",
        "Poslanecká sněmovna začne návrh projednávat 15. října, závěrečné hlasování je naplánováno na konec listopadu.",
    ]),
    "ru": ("Правительство представило бюджет жесткой экономии на 2025 год", [
        "В четверг правительство представило проект бюджета на 2025 год, который предусматривает сокращение государственных "
        "расходов на двенадцать миллиардов рублей.",
        "Регионы и муниципалитеты должны будут сократить текущие расходы на два миллиарда, а бюджеты министерств образования и "
        "здравоохранения будут заморожены.",
        "Государственная дума начнет рассматривать проект 15 октября, окончательное голосование запланировано на конец ноября.",
    ]),
}


def with_block(language: str, block: str):
    """The language's article with `block` between its first and second paragraphs, cleaned."""
    title, paragraphs = ARTICLES[language]
    return clean_article(article("\n\n".join([title, paragraphs[0], block, *paragraphs[1:]])), language=language)


@pytest.mark.parametrize(
    "language, block",
    [
        # lists of links under a label: after the first link, other articles' headlines ending with "?" or "!"
        ("fr", "Sur le même sujet\nLe maire de Lyon réélu\nParc ou montagne ?"),
        ("fr", "Voir aussi\n\nLe Portugal très confiant\n\nRychtarova à propos de son mari infidèle : garde cet âne !"),
        ("de", "Lesen Sie auch\nHazard: \"Was für ein Glück\"\nPark oder Berg?"),
        ("es", "Te puede interesar\n\nCómo han evolucionado los precios de los viajes desde 1989\n\n¿Parque o montaña?"),
        ("ru", "Читайте также\nКоличество антимусульманских преступлений увеличилось на 50%\nПочему доля безработицы среди инвалидов так высока?"),
        # a rubric label over another article's headline
        ("fr", "Société.\n\nL'immigration est-elle une chance pour les entreprises ?"),
        ("cs", "Kultura.\n\nProč je tak vysoký podíl nezaměstnaných hendikepovaných pracovníků?"),
        ("ru", "Спорт.\n\nРихтаржова о неверном муже: оставь себе этого осла!"),
        # a label of link words the lists do not hold, and its links
        ("fr", "À consulter aussi\n\nLe maire de Lyon réélu"),
        ("fr", "Articles en lien\nLe maire de Lyon réélu\nGrève à la SNCF"),
        ("de", "Weitere Artikel zum Thema\n\nBahn plant Winter-Krisen-Paket"),
        ("de", "Passend dazu\nFrau bei Sturz in Tram verletzt"),
        ("es", "Más noticias sobre el tema\n\nMujica viaja a México"),
        ("cs", "Další články k tématu\nŽena při pádu v tramvaji zraněna"),
        ("ru", "Статьи по теме\n\nДом 21-го столетия в Вене"),
        # the first link under a label goes whatever its punctuation; of two sentences when off the topic
        ("de", "Mehr zum Thema\nIranische Studenten sind bereit zu sterben. Sie bildeten einen lebenden Schild."),
        # two sentences without final punctuation after the first link, off the topic
        ("fr", "Sur le même sujet\n\nLe maire de Lyon réélu\n\nLe Portugal très confiant. Ronaldo promet la victoire"),
    ],
)
def test_other_articles_headlines_under_a_label_go(language, block):
    result = with_block(language, block)
    assert result.paragraphs == tuple(ARTICLES[language][1]), result.removed
    assert len(result.removed) == len(block.replace("\n\n", "\n").split("\n"))


@pytest.mark.parametrize(
    "language, block, kept",
    [
        # a question put to someone is an interview's
        ("fr", "Voir aussi\n\nLe maire de Lyon réélu", "Quel est votre message aux épargnants ?"),
        ("de", "Mehr zum Thema\n\nBahn plant Winter-Krisen-Paket", "Was sagen Sie den Sparern?"),
        ("ru", "Читайте также\n\nДом 21-го столетия в Вене", "Как вы оцениваете этот бюджет?"),
        # a question on the article's topic
        ("fr", "Voir aussi\n\nLe maire de Lyon réélu", "Pourquoi les collectivités locales paieront-elles ces économies ?"),
        # a sentence with a full stop: the article's own short sentences bring up new names too
        ("fr", "Sur le même sujet\n\nLe maire de Lyon réélu", "Carles Puyol approche de la centaine avec 97 matches."),
        ("es", "Te puede interesar\n\nMujica viaja a México", "Se acerca a la centena Carles Puyol con 97 partidos."),
        ("ru", "Читайте также\n\nДом 21-го столетия в Вене", "Почти приближается к сотне Карлес Пуйоль с 97 играми."),
        # a lead-in ending with a colon
        ("cs", "Čtěte také\n\nŽena při pádu v tramvaji zraněna", "Vláda zveřejnila tyto úspory:"),
        # two sentences on the article's topic, without final punctuation
        ("fr", "Sur le même sujet\n\nLe maire de Lyon réélu", "Les économies de l'État atteindront douze milliards. Les collectivités en paieront deux"),
        # a long question with commas
        ("de", "Südostasien.", "Warum bleibt, trotz der Einsparungen, die Arbeitslosigkeit in den Kommunen, Ländern und im Bund so hoch?"),
    ],
)
def test_the_article_goes_on_after_a_label(language, block, kept):
    result = with_block(language, f"{block}\n\n{kept}")
    first, *rest = ARTICLES[language][1]
    assert result.paragraphs == (first, kept, *rest), result.removed


def test_in_an_interview_a_question_under_a_label_stays():
    answers = [
        "Llevamos veinte años tocando juntos y cada gira es distinta, el público de cada país nos recibe de otra manera.",
        "¿Cómo han vivido estos veinte años de carrera?",
        "Con mucha gratitud hacia los fans, que nos han acompañado desde el primer disco hasta hoy en cada concierto.",
        "¿Y qué esperan del concierto del sábado en San José?",
    ]
    question = "¿Por qué siempre cambian la letra de Yellow Ledbetter en vivo?"
    text = "\n\n".join(["Pearl Jam celebra veinte años de carrera en Costa Rica", *answers, "Cultura.", question, "Porque cada noche es diferente."])
    result = clean_article(article(text), language="es")
    assert question in result.paragraphs
    assert result.removed == (("rubric label", "Cultura."),)


@pytest.mark.parametrize(
    "language, line, addresses",
    [
        ("fr", "Quel est votre message aux épargnants ?", True),
        ("fr", "Parc ou montagne ?", False),
        ("de", "Was sagen Sie den Sparern?", True),
        ("de", "Sie bildeten einen lebenden Schild!", False),  # "Sie" opening a sentence is "they"
        ("es", "¿Usted qué opina del presupuesto?", True),
        ("cs", "Jak jste to zvládli?", True),
        ("ru", "Каким вы помните свой проект?", True),
        ("ru", "Парк или гора?", False),
    ],
)
def test_addresses_someone(language, line, addresses):
    assert addresses_someone(line, load_rules(language)) is addresses


@pytest.mark.parametrize(
    "language, line, label",
    [
        ("fr", "À consulter aussi", True),
        ("fr", "Lire plus sur le sujet »", True),
        ("fr", "Découvrir la suite", True),
        ("de", "Die meistgelesenen Artikel", True),
        ("es", "Más noticias sobre el tema", True),
        ("cs", "Přečtěte si více", True),
        ("ru", "Ещё материалы по теме", True),
        ("it", "Read more »", True),
        ("fr", "Vie quotidienne", False),  # a rubric, no link word
        ("fr", "Plus d'articles sur le sujet seront publiés demain.", False),  # a sentence
        ("de", "Deutschland Nachrichten, Aktuelle Nachrichten aus Deutschland", False),  # a tagline
        ("de", "Aktuelle Zahlen zur Arbeitslosigkeit", False),  # "Zahlen", "Arbeitslosigkeit" are no link words
        ("es", "Las 10 noticias del día", False),  # a figure
    ],
)
def test_is_link_label(language, line, label):
    assert is_link_label(line, load_rules(language)) is label


# --- title, rubric and kicker ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "top, section",
    [
        ("Économie.", "Économie"),
        ("Asie du Sud-Est.", "Asie du Sud-Est"),
        ("POLITIQUE", "POLITIQUE"),
        ("International", "International"),
        ("CYCLISME –", "CYCLISME"),
        ("PEOPLE -", "PEOPLE"),
        ("Accueil › Monde › Europe", "Accueil > Monde > Europe"),
        ("Économie.\n\nCYCLISME –", "Économie / CYCLISME"),
    ],
)
def test_rubrics_and_kickers_above_the_headline_go_to_section(top, section):
    result = cleaned(f"{top}\n\nLe Tour de France part de Lille\n\n{LEAD}")
    assert result.title == "Le Tour de France part de Lille"
    assert result.metadata["section"] == section
    assert result.paragraphs == (LEAD,)


@pytest.mark.parametrize(
    "language, top",
    [("fr", "Bien-être"), ("de", "Verbraucher"), ("es", "Tendencias"), ("cs", "Počasí"), ("ru", "Погода"), ("ru", "НАУКА И ТЕХНИКА")],
)
def test_a_rubric_off_the_articles_topic_above_its_headline_goes_to_section(language, top):
    title, paragraphs = ARTICLES[language]
    result = clean_article(article("\n\n".join([top, title, *paragraphs])), language=language)
    assert (result.title, result.metadata.get("section"), result.paragraphs) == (title, top, tuple(paragraphs))


@pytest.mark.parametrize(
    "language, headline, first",
    [
        # a short headline over a first sentence is the headline, whatever words it shares
        ("cs", "Jeho poslední vůle", "Jeho popel bude rozptýlen v pohoří Zapalinamé, potvrdila rodina."),
        ("ru", "Его последняя воля", "Его прах будет развеян в горах Сапалинаме, подтверждает семья."),
    ],
)
def test_a_short_headline_over_a_sentence_is_the_title(language, headline, first):
    _, paragraphs = ARTICLES[language]
    result = clean_article(article("\n\n".join([headline, first, *paragraphs])), language=language)
    assert (result.title, result.paragraphs) == (headline, (first, *paragraphs))


@pytest.mark.parametrize(
    "first_line, title, section",
    [
        ("CYCLISME – Pogacar remporte l'étape", "Pogacar remporte l'étape", "CYCLISME"),
        ("VIDÉO. Les images de l'incendie", "Les images de l'incendie", "VIDÉO"),
        ("Guerre en Ukraine | Kiev reprend une ville", "Kiev reprend une ville", "Guerre en Ukraine"),
    ],
)
def test_kicker_glued_to_the_headline(first_line, title, section):
    result = cleaned(f"{first_line}\n\n{LEAD}")
    assert (result.title, result.metadata["section"], result.paragraphs) == (title, section, (LEAD,))


@pytest.mark.parametrize(
    "headline, first",
    [
        # a short headline over a standfirst without a full stop is the headline, not a rubric
        ("Spéculation agricole", "La banque allemande examine en détails la spéculation sur les matières premières"),
        ("Victoire libyenne", "La libération libyenne a déjà ses vaincus."),
        # headlines with final punctuation
        ("Parc ou montagne?", "Les architectes coïncident sur l'opportunité de la convocation"),
        ("Une nouvelle ère de crise commence. La France est dans le viseur des investisseurs.", LEAD),
    ],
)
def test_the_headline_is_the_title(headline, first):
    result = cleaned(f"{headline}\n\n{first}\n\n{TAIL}")
    assert result.title == headline
    assert result.paragraphs == (first, TAIL)


@pytest.mark.parametrize(
    "text, metadata, body_start",
    [
        ("date 2023-09 Le texte commence ici. Suite.", {"date": "2023-09"}, "Le texte commence"),
        ("Date : 2024-01-15\nLe texte commence ici. Suite.", {"date": "2024-01-15"}, "Le texte commence"),
        ("Le texte commence ici. Suite.\nfr-12", {"tag": "fr-12"}, "Le texte commence"),
        ("par Marie Curie PARIS - Le texte commence ici. Suite.", {"author": "Marie Curie", "place": "PARIS"}, "Le texte commence"),
        ("LYON (AFP) - Le texte commence ici. Suite.", {"place": "LYON"}, "Le texte commence"),
        ("Titre\n\nPar Jean Dupont et Marie Curie\n\nLe texte commence ici. Suite.", {"author": "Jean Dupont et Marie Curie"}, "Le texte"),
        ("Titre\n\nLYON (RHÔNE), HIER.\n\nLe texte commence ici. Suite.", {"place": "LYON"}, "Le texte commence"),
        ("Titre\n\nParis, le 12 mars 2024.\n\nLe texte commence ici. Suite.", {"place": "Paris"}, "Le texte commence"),
        ("Titel\n\nVon Julia Stanek\n\nDer Text beginnt hier. Weiter.", {"author": "Julia Stanek"}, "Der Text"),
        ("Titel\n\nBERLIN, 12. März 2024.\n\nDer Text beginnt hier. Weiter.", {"place": "BERLIN"}, "Der Text"),
    ],
)
def test_metadata_lines(text, metadata, body_start):
    language = "de" if "Titel" in text else "fr"
    result = cleaned(text, language)
    for key, value in metadata.items():
        assert result.metadata[key] == value
    assert result.paragraphs[0].startswith(body_start)


# --- hard-wrapped text ----------------------------------------------------------------------------


def test_hard_wrapped_paragraphs_are_rejoined_before_any_rule():
    paragraphs = [
        "Le gouvernement a présenté jeudi son projet de budget pour 2025, qui prévoit douze milliards "
        "d'économies sur les dépenses de l'État et une hausse de la fiscalité des entreprises",
        "Le ministre nord-coréen des Affaires étrangères et le porte-parole du Kremlin ont confirmé "
        "que les discussions reprendraient la semaine prochaine à Vladivostok, selon l'agence Ria Novosti.",
        "Voici le détail des mesures annoncées jeudi par le Premier ministre devant les députés réunis en séance :",
    ]
    text = "\n\n".join(textwrap.fill(p, 72) for p in ["Le budget 2025 présenté jeudi", *paragraphs])
    result = cleaned(text)
    assert result.title == "Le budget 2025 présenté jeudi"
    assert result.paragraphs == tuple(paragraphs)
    assert not result.removed


def test_wrap_width_tells_wrapped_text_from_one_paragraph_per_line():
    rules = load_rules("fr")
    prose = "Le président de la République a reçu mardi les représentants des syndicats à l'Élysée. " * 6
    assert 66 <= wrap_width(textwrap.fill(prose, 72).split("\n"), rules) <= 72
    assert wrap_width([prose, prose[:300], prose[:200]], rules) == 0  # one paragraph per line
    assert wrap_width(["Nom *", "E-mail *", "Site web", "Commentaire *"], rules) == 0  # a form, not wrapped


@pytest.mark.parametrize(
    "lines, joined",
    [
        # a compound broken at its hyphen is joined without a space, a suspended hyphen keeps it
        (["x" * 66 + " nord-", "coréen et russe."], "x" * 66 + " nord-coréen et russe."),
        (["x" * 66 + " ein-", "und ausgehen."], "x" * 66 + " ein- und ausgehen."),
        # a German date and a dash inside the sentence continue it
        (["x" * 66 + " am", "2. September festgenommen."], "x" * 66 + " am 2. September festgenommen."),
        (["x" * 66 + " talents", "- comme IBM."], "x" * 66 + " talents - comme IBM."),
    ],
)
def test_rejoin_wrapped_lines(lines, joined):
    wrapped = textwrap.fill("Der Präsident hat am Dienstag die Vertreter der Gewerkschaften empfangen. " * 5, 72)
    result, _ = rejoin_wrapped(wrapped + "\n\n" + "\n".join(lines), load_rules("de"))
    assert result[-1] == joined


def test_a_read_more_link_under_a_wrapped_teaser_stays_its_own_line():
    teaser = textwrap.fill("Le conseil municipal a voté hier soir une hausse des tarifs des transports en commun de la ville de…", 72)
    text = "Titre\n\n" + textwrap.fill(f"{LEAD} {LEAD}", 72) + "\n\n" + teaser + "\nLire la suite »\n\n" + textwrap.fill(f"{TAIL} {TAIL}", 72)
    result = cleaned(text)
    assert result.paragraphs == (LEAD + " " + LEAD, TAIL + " " + TAIL)


def test_links_under_a_label_are_a_list_even_in_wrapped_text():
    links = "Les plus lus\nBoeing décroche une commande record de 18 milliards de dollars\nMassacre à l'échelle d'une vie"
    text = "Titre\n\n" + textwrap.fill(f"{LEAD} {LEAD}", 72) + "\n\n" + textwrap.fill(f"{TAIL} {TAIL}", 72) + "\n\n" + links
    result = cleaned(text)
    assert result.paragraphs == (f"{LEAD} {LEAD}", f"{TAIL} {TAIL}")
    assert [rule for rule, _ in result.removed] == ["related-articles block"] * 3


# --- languages and the rules fingerprint -----------------------------------------------------------


def test_languages_without_a_rules_file_get_the_neutral_rules():
    result = cleaned(f"Titolo\n\n{LEAD}\n\nShare: Facebook | X | WhatsApp\n\nComments (3)\n\nhttps://esempio.it/a/1", "it")
    assert result.paragraphs == (LEAD,)
    assert result.language == "it"
    assert load_rules("it").stopwords and not load_rules("it").verb_cue  # jusText's Italian stop-list, no verb list
    assert not load_rules("../fr").verb_cue, "a language code never names a file outside the rules"


def test_rules_fingerprint_covers_every_rule_file_and_the_code_version(monkeypatch):
    before = rules_fingerprint()
    monkeypatch.setattr(clean, "CLEANER_VERSION", clean.CLEANER_VERSION + 1)
    rules_fingerprint.cache_clear()
    try:
        assert rules_fingerprint() != before
    finally:
        monkeypatch.undo()
        rules_fingerprint.cache_clear()
    assert rules_fingerprint() == before
    names = clean._rule_file_names()
    assert {"neutral.toml", "fr.toml", "de.toml", "es.toml", "cs.toml", "ru.toml"} <= set(names)
    assert not [n for n in names if n.startswith("checks-") or n == "names.toml"], "the checks' tables are not the cleaner's"


def test_run_signature_carries_the_rules_fingerprint():
    from summarize import pipeline

    assert pipeline.rules_fingerprint is rules_fingerprint


def test_fingerprint_ignores_case_accents_quotes():
    assert fingerprint("« Élan »,  d'Été !") == fingerprint("\"elan\" d’ete")
