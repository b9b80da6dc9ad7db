"""Word lists the name check uses: given names, surnames that are also words, person context.

The small spaCy model tags many capitalised words in technical prose as PERSON (`Convert`,
`Remote`, `Dart Sass`). A second signal separates real names from those: a span that starts with
a known given name, or is preceded by a title (`Ms.`), or sits next to a word that only people
go with (`customer`, `said`). The lists are deliberately international and lower case; they
decide only whether a span the model already called a person is kept, never what is searched.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


GIVEN_NAMES = _words(
    # English-speaking countries
    """
    aaron abby abigail adam adrian aidan alan albert alex alexander alexandra alexis alfred alice
    alicia alison allison amanda amber amelia amy andrea andrew angela angelina anita ann anna
    anne annie anthony april archie arthur ashley audrey austin ava barbara barry beatrice becky
    ben benjamin bernard beth betty beverly bill billy blake bob bobby bonnie brad bradley brandon
    brenda brent brett brian bridget brittany brooke bruce bryan caitlin caleb cameron carl carla
    carol caroline carolyn carrie catherine cathy charles charlie charlotte chelsea cheryl chloe
    chris christina christine christopher cindy claire clara colin connor craig crystal cynthia
    daisy dale dan dana daniel danielle danny darren dave david dawn dean debbie deborah debra
    dennis derek diana diane donald donna doris dorothy douglas dylan earl ed eddie edith edward
    eileen elaine eleanor elizabeth ella ellen ellie emily emma eric erica erin ethan eugene eva
    evan evelyn faith florence frances frank fred frederick gabriel gary gavin gemma george
    georgia gerald gina glen glenn gloria gordon grace graham greg gregory hannah harold harriet
    harry harvey hazel heather helen henry holly howard ian isaac isabel isabella isabelle jack
    jackie jacob jacqueline jake james jamie jane janet janice jason jay jean jeff jeffrey
    jennifer jenny jeremy jerry jesse jessica jill jim jimmy joan joanna joanne jodie joe joel
    john johnny jon jonathan jordan joseph josh joshua joyce judith judy julia julian julie
    justin karen kate katherine kathleen kathryn kathy katie kayla keith kelly ken kenneth kevin
    kim kimberly kirsty kyle larry laura lauren lawrence leah lee leo leon leonard leslie liam
    lily linda lindsay lisa logan lois lori louis louise lucas lucy luke lydia lynn madison
    malcolm mandy margaret maria marie marilyn mark martha martin mary matt matthew maureen max
    megan melanie melissa michael michelle mike mildred molly monica morgan nancy naomi natalie
    nathan neil nicholas nicola nicole nigel noah norman oliver olivia owen paige pamela patricia
    patrick paul paula pauline peggy penny peter phil philip phillip phoebe phyllis rachel ralph
    randy raymond rebecca richard rick rob robert robin roger ronald ronnie rose rosemary ross
    roy russell ruth ryan sally sam samantha samuel sandra sara sarah scott sean sharon shaun
    sheila shirley sophia sophie stacey stanley stephanie stephen steve steven stuart sue susan
    suzanne sydney tammy tanya teresa terry theo theodore theresa thomas tiffany tim timothy
    tina toby todd tom tommy tony tracey tracy travis trevor troy tyler valerie vanessa vera
    vicky victor victoria vincent virginia walter wanda warren wayne wendy william willie zach
    zachary zoe
    """
    # Irish, Scottish, Welsh
    """
    aisling aoife brendan bronwen callum caoimhe carys catriona cerys ciara colm cormac dafydd
    declan deirdre dermot eilidh eoin ffion fionn fraser gareth grainne gwen hamish iain ieuan
    isla mhairi morag niamh oisin orla padraig rhiannon rhys roisin ronan saoirse seamus sian
    sinead siobhan
    """
    # Spanish, Portuguese, Italian, French
    """
    adriana agustin alberto alejandra alejandro alfonso alicia alvaro amparo ana andres angel
    antonio beatriz camila carlos carmen carolina catalina cesar clara claudia cristina daniela
    diego dolores eduardo elena emilio enrique esteban federico felipe fernanda fernando
    francisca francisco gabriela gonzalo guadalupe guillermo gustavo hector ignacio ines isabel
    javier jesus joaquin jorge jose josefa juan juana julio laura leticia lorena lourdes lucia
    luis luisa manuel manuela marcela marcos margarita mariana mario marisol marta mateo mercedes
    miguel monica natalia nicolas pablo patricia paula pedro pilar rafael ramon raquel raul
    ricardo roberto rocio rodrigo rosa rosario santiago sergio silvia sofia teresa valentina
    veronica vicente ximena
    afonso antonia beatriz bruna caio diogo fabio felipe gabriel goncalo joao leonardo
    luiza marcelo mariana otavio rafaela renata thiago vitor
    alessandra alessandro alessio andrea angelo antonella chiara davide elisa enrico fabrizio
    federica francesca franco gianluca giorgio giovanni giulia giulio giuseppe lorenzo luca
    lucia marco massimo matteo michele paolo pietro riccardo roberta salvatore silvio simone
    stefano valentina vittoria
    adele adrien agnes aimee alain amelie anais antoine arnaud aurelie benoit bernadette brigitte
    camille celine chantal christelle christophe claude clement colette corinne damien delphine
    denis didier dominique elodie emile emilie etienne fabien fabienne florian francois
    francoise gaelle gerard gilles guillaume helene herve jacques jeanne jerome josiane julien
    laurent lea luc lucie manon marc margaux marine mathieu maxime michel mireille nathalie
    nicolas odile olivier pascal philippe pierre raphael remi rene sandrine sebastien serge
    simon solene stephane sylvie thierry valerie vincent xavier yann yves
    """
    # German, Dutch, Nordic, Central and Eastern European, Greek
    """
    andreas anja annika bernd birgit bjorn bjørn britta dieter dirk elke erik frank franz
    friedrich gerhard gisela gunter günter hans hanna hannelore heike heinz helga helmut holger
    ingrid jan jens joachim jochen johanna jonas jorg jörg jurgen jürgen karin karl katrin klaus
    lars lena lukas manfred marlies matthias monika niklas ole rainer ralf reinhard renate
    sabine sebastian sigrid stefan steffen sven tobias torsten uwe ulrich ursula uta volker
    werner wolfgang
    anouk bram daan fleur floris joost koen lotte maarten niels pieter ruud sanne sem stijn
    thijs willem
    anders astrid axel birgitta eirik elin emil freja frida gustav hanne henrik ingrid jonas
    kari kjell knut linnea magnus malin mats mikkel nils olaf olav oskar rasmus sigrid solveig stig
    svea tove ulf
    agnieszka aleksandra anastasia andrei andrzej anton bogdan boris dariusz dmitri dmitry dorota
    elena ewa grzegorz igor irina ivan jakub jana jaroslav katarzyna kateryna krzysztof lenka
    ludmila magdalena malgorzata marek marcin mikhail milan milena natasha nikolai oksana olga
    pavel petr piotr radek sergei sergey svetlana tatiana tomasz vaclav viktor vladimir
    wojciech yulia yuri zofia zuzana
    alexandros athena christos dimitris eleni georgios ioannis konstantinos maria nikos sofia
    spyros yiannis
    """
    # Turkish, Arabic, Persian, Hebrew
    """
    ahmet ali ayse aylin burak cem deniz elif emine emre fatma hakan hasan huseyin ibrahim
    kemal mehmet mustafa murat ozlem selin serkan yusuf zeynep
    abdullah ahmad ahmed aisha amina amir amira fatima hamza hassan hussein karim khadija khalid
    layla leila mariam maryam mohamed mohammad mohammed muhammad nadia noor omar rania rashid
    salim samir sara tariq yasmin youssef zainab zahra
    arash babak darius farhad farah mahnaz mina narges parisa reza shirin
    avi chaim dana eli eitan itai miriam moshe noa rivka shira tamar yael yosef
    """
    # South Asian
    """
    aarav abhishek aditi aditya ajay akash amit amita anand ananya anil anjali ankit arjun arun
    asha ashok deepa deepak divya ganesh gaurav gita harish indira isha ishaan jaya kavita kiran
    krishna kumar lakshmi manish meena mohan neha nikhil nisha pooja prakash pranav priya rahul
    raj rajesh rakesh ramesh ravi rohan rohit sanjay sarita shreya siddharth sneha sunil sunita
    suresh swati tanvi uma varun vijay vikram vinay yash
    """
    # East and South-East Asian (romanised)
    """
    akira aiko haruki haruto hiroshi hiroko kaito kenji keiko kenta mai mei naoko ren sakura
    satoshi sayaka shota sora takashi takumi taro yoko yui yuki yuko yuto
    bo chen fang hui jing jun lei li lin ling ming na ping qiang wei xiaoming xin yan yang ying
    yong yu yun zhen zhi
    minji minjun jiwoo jihoon seojun seoyeon hyun jisoo yuna sungmin
    anh binh duc hoa hung lan linh minh ngoc phuong quang thanh thao trang tuan
    """
    # African
    """
    abebe adaeze adebayo amara ayodele babajide chidi chidinma chinedu chioma emeka femi folake
    kwame kofi kemi lerato nkechi nomvula obinna olumide sipho tendai thabo themba uche yaw
    zanele
    """
)
"""Given names, lower case, accents both kept and folded where both spellings are common."""

SURNAMES = _words(
    """
    adams allen anderson bailey baker barnes bell bennett brooks brown butler campbell carter
    clark clarke collins cook cooper cox davies davis edwards evans fisher foster gray green
    griffin hall harris hill holmes howard hughes hunter jackson james jenkins johnson jones
    kelly king knight lee lewis long marshall martin mason miller mitchell moore morgan morris
    murphy murray nelson parker perry phillips powell price reed richardson roberts robinson
    rogers ross russell scott shaw simpson smith stewart stone taylor thomas thompson turner
    walker ward watson white williams wilson wood wright young
    alvarez castillo chavez cruz diaz fernandez flores garcia gomez gonzalez gutierrez
    hernandez jimenez lopez martinez mendoza morales moreno ortiz perez ramirez ramos reyes
    rivera rodriguez romero ruiz sanchez santos silva torres vargas
    bauer becker fischer hoffmann koch meyer muller müller richter schmidt schneider schulz
    wagner weber
    chen huang li lin liu wang wu yang zhang zhao nguyen tran le pham kim park lee
    patel sharma singh kumar gupta
    """
)
"""Common surnames, including those that are also ordinary English words (`Smith`, `Baker`)."""

HONORIFICS = _words(
    "mr mrs ms mx miss dr prof professor sir dame madam madame mme mlle herr frau señor señora sr sra"
)
"""Titles that, right before a capitalised word, make it a person's name."""

PERSON_CONTEXT = _words(
    """
    customer customers client clients caller shopper buyer seller recipient sender courier
    driver colleague coworker manager agent employee contact contacted contacting
    said says asked asks reported reports wrote writes emailed phoned called told complained
    mentioned named thanked signed spoke replied
    he she him her his hers himself herself
    hi hello hey dear thanks
    """
)
"""Words that go with people: a lone given name next to one of these is a person."""

NAME_PARTICLES = _words("van von der den de del della di da dos das du la le al bin ibn ben ter")
"""Lower-case parts of names (`Ludwig van Beethoven`)."""
